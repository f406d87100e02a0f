// Package golem defines models as Gorgonia expression graphs and trains them
// with Levenberg–Marquardt or first-order optimizers through a Keras-like
// Compile / Fit / Evaluate / Predict loop.
//
// Data are gonum matrices: x is N × features, y is N × targets, one sample
// per row. FromRows and FromTensor convert [][]float64 and tensor.Tensor;
// Columns puts several inputs (or targets) side by side.
//
// The main entry points:
//
//   - Models: NewSequential (a chain of layers), or NewInput, Call and
//     NewModel (a functional graph of several inputs and outputs, with
//     PerOutput losses).
//   - Model.Compile(input shape, loss, optimizer, options): WithMetrics,
//     WithSeed, ScaleInputs and ScaleTargets (MinMax, Standardize).
//   - Model.Fit(ctx, x, y, FitConfig): validation data or a MATLAB-style
//     Division, early stopping, Callbacks (EarlyStopping, ModelCheckpoint,
//     ReduceLROnPlateau, TerminateOnNaN, CSVLogger), progress output; it
//     returns a History.
//   - Model.Evaluate, Model.Predict, Model.Save and Model.Load (the file
//     keeps the layers' description, weights, scalers and loss, so a
//     loaded model evaluates as the saved one did).
//   - Model.CheckJacobian and JacobianRoutes (per-sample Jacobians against
//     finite differences), and Minimize (any optimizer on a scalar
//     expression).
//
// The other packages: layers (the Layer interface and the built-in
// layers), losses (losses and metrics), optim (the optimizers behind one
// interface), graph (what a layer author builds with), fit (curve fitting
// with statistics), timeseries (NARX and other time-series networks).
// The README's quick start is a whole program; the examples/ folder holds
// runnable tutorials (go run ./examples/NAME).
package golem
