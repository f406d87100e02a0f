// Package timeseries builds dynamic networks as MATLAB's ntstool does:
// series are cut into delay windows (Prepare, MATLAB's preparets), a
// network or the linear ARX baseline (FitARX) is trained on them open loop,
// and the result is judged with ntstool's plots: the response against time
// (PlotResponse), the autocorrelation of the errors
// (PlotErrorAutocorrelation) and the cross-correlation of an input with the
// errors (PlotInputErrorCrossCorrelation).
//
// A series is a gonum matrix with time along its rows: u, the exogenous
// inputs, is T × m (nil when there are none) and y, the targets, is T × k.
// Delays are []int, MATLAB's 1:2 being []int{1, 2}.
package timeseries
