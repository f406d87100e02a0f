// Package plots draws golem's results as the figures MATLAB's toolboxes
// show, as library calls that write an image file. It is the only golem
// package that links gonum.org/v1/plot: a service that trains and
// predicts with golem, fit and timeseries does not carry it.
//
// Training (a golem.History and Model):
//
//   - History writes Performance (plotperform: losses per epoch, the best
//     validation epoch ringed) and TrainingState (plottrainstate: gradient,
//     μ, γ and the sum of squared weights, validation checks).
//   - Regression (plotregression) plots outputs against targets and returns
//     R; RegressionGrid draws a panel per training, validation and test set
//     and one of all the samples, as MATLAB's window does.
//   - ErrorHistogram (ploterrhist) stacks the errors targets − outputs of
//     the training, validation and test samples (Splits of a History) in 20
//     bins with the zero-error line; BinErrors returns the counts.
//
// Classification:
//
//   - Confusion (plotconfusion) draws golem.ConfusionMatrix with recall,
//     precision and accuracy.
//   - ROC (plotroc) draws one ROC curve per class, one against the rest,
//     with its area in the legend; ROCCurve and AUC compute them as
//     scikit-learn's roc_curve and roc_auc_score do.
//
// Curve fitting (a fit.Result): Fit draws the data, the curve and its
// confidence and prediction bands; Residuals the residuals.
//
// Time series (package timeseries): Response (plotresponse),
// ErrorAutocorrelation (ploterrcorr) and InputErrorCrossCorrelation
// (plotinerrcorr).
//
// Every function takes the output path first and writes the format its
// extension names (.png, .jpg, .svg, .pdf; bitmaps at 96 dots per inch),
// creating the folder; bad input is an error that writes nothing. Save,
// SaveGrid, LogY and Color are the pieces they share, for figures of your
// own in the same style.
package plots
