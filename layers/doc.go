// Package layers defines the Layer interface and golem's built-in layers.
//
// A layer is built once, from the shape of one input sample, when its model
// is compiled: Build declares the layer's parameters in a graph.Scope (so
// they get stable names like "dense_1/W" and live in the model's flat θ) and
// returns the output shape. Forward then adds the layer's computation to any
// number of graphs (training, inference, Jacobian), always on a whole batch:
// x has shape (batch, sample shape...). Samples are channels-last, as in
// Keras: vectors (n), sequences (T, features), images (H, W, channels).
//
// The built-in layers: Dense, Act and Parametric; Conv1D and Conv2D; the
// pools MaxPool1D/2D, AvgPool1D/2D and GlobalAvgPool1D/2D; Flatten and
// Reshape; the recurrent SimpleRNN, GRU and LSTM; BatchNormalization and
// LayerNormalization; Dropout; Embedding; and the merges Concatenate, Add
// and Multiply (a Merge takes several inputs in a functional model). Every
// one has a fast per-sample Jacobian for Levenberg–Marquardt.
//
// Dropout and BatchNormalization behave differently while a first-order
// optimizer trains (graph.Builder.Training); Levenberg–Marquardt, whose
// objective must be deterministic and per sample, always sees their
// inference form: Dropout is the identity and BatchNormalization uses its
// moving statistics, which LM does not change.
//
// A layer value belongs to one model; build a fresh value for each model.
// Within a functional model, calling one value twice shares its weights.
//
// Layers are given to golem.NewSequential or golem.Call; a custom layer is
// written with package graph's Scope and Builder (see the README's
// "Writing a layer"), and golem's Model.CheckJacobian checks it.
package layers
