// Package timeseries builds dynamic networks as MATLAB's ntstool does.
//
// Series are cut into delay windows (Prepare, MATLAB's preparets). A
// network — NARX (narxnet), NAR (narnet), TimeDelay (timedelaynet) or
// LayerRecurrent (layrecnet), made of golem's Dense layers so that every
// optimizer trains it — or the linear ARX baseline (FitARX) is trained on
// them in open loop (series-parallel: the true past targets are fed back).
// Net.Close converts a net to closed loop (parallel: its own outputs are fed
// back, carrying the delay states), for multi-step prediction (Predict,
// Forecast) and for closed-loop training, whose Jacobian goes through the
// recurrence by autodiff of the network unrolled over segments. Results are
// judged with ntstool's plots, in package plots: the response against time
// (plots.Response), the autocorrelation of the errors
// (plots.ErrorAutocorrelation) and the cross-correlation of an input with
// the errors (plots.InputErrorCrossCorrelation), with their 95 % bounds.
//
// A series is a gonum matrix with time along its rows: u, the exogenous
// inputs, is T × m (nil when there are none) and y, the targets, is T × k.
// Delays are []int, MATLAB's 1:2 being []int{1, 2}. Nets map every channel
// onto [−1, 1] (MATLAB's mapminmax) unless Config.NoScaling is set; Save and
// Load keep the scaling, the weights and the delay states together.
package timeseries
