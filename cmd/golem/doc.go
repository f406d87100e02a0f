// Command golem trains small neural networks and fits curves from CSV
// files, for MATLAB users who want "CSV in, trained network and plots out"
// without writing a program.
//
// Install it with
//
//	go install github.com/golem-ml/golem/cmd/golem@latest
//
// Every input is a CSV file whose first row names the columns and whose
// other rows are numbers; an error names the file, the line and the column
// (data.csv:17: column "x3": "abc" is not a number). Flags may come before
// or after the file names. The exit status is 0 on success, 2 for a usage
// error (a bad flag or argument) and 1 for any other failure. "golem help
// CMD" and "golem CMD -h" print a command's flags.
//
// # golem fit
//
//	golem fit data.csv --target y [--inputs a,b] [--hidden 10] [--optimizer lm|br|adam]
//	    [--division 70/15/15] [--epochs 1000] [--max-fail 6] [--seed 1] [--out DIR]
//
// trains a network of one tanh hidden layer (--hidden units) and a linear
// output with MATLAB nftool's defaults: inputs and targets mapped onto
// [-1, 1] (mapminmax), Nguyen–Widrow initial weights, a random 70/15/15
// division into training, validation and test samples, early stopping
// after 6 epochs without a better validation loss (keeping the best
// epoch's weights) and Levenberg–Marquardt (trainlm). --target may name
// several columns, comma-separated; every other column is an input unless
// --inputs lists them. --optimizer br is Bayesian regularization (trainbr),
// which uses no validation set: the division's validation share trains.
// --optimizer adam is Adam (learning rate 0.01, batches of 32, and a
// patience of 50 epochs rather than 6, as its epochs are many small steps).
//
// Progress goes to standard error, as a bar on a terminal and one line per
// epoch otherwise; Ctrl-C stops training and keeps the network. Then, for
// data.csv, it writes into --out (default the CSV's folder) data.golem (the
// model), data.golem.json (its input and target column names),
// data_report.txt (also printed: the architecture, the optimizer, why and
// after how many epochs training stopped, MSE and R of the training,
// validation, test and all samples, as nftool's results, and the time
// taken), and the plots data_performance.png, data_trainstate.png,
// data_regression.png and data_errhist.png.
//
// # golem curvefit
//
//	golem curvefit data.csv --expr "b1*(1-exp(-b2*x))" --start b1=500,b2=1e-4
//	    [--x col] [--y col] [--level 0.95] [--out DIR]
//
// fits a formula with package fit and prints its report: each parameter
// with its standard error and confidence interval, χ², R², AIC and BIC, the
// correlations and any warnings. The formula names its inputs by the
// columns' headers (--x; default every column but --y, which defaults to
// "y" or the last column); every other name is a parameter, started from
// --start. It writes data_curvefit_report.txt, data_curvefit.png (data,
// curve, confidence and prediction bands) and data_curvefit_residuals.png.
//
// # golem predict
//
//	golem predict model.golem new.csv > out.csv
//
// loads a model written by golem fit and writes, as CSV on standard output,
// its outputs for each row of new.csv ("-": standard input), under a header
// of the target names. new.csv's columns are found by the input names the
// model was trained with, which golem fit keeps in model.golem.json beside
// the model (golem's model format has no place for them).
//
// # golem export
//
//	golem export model.golem --go [--package main] [--func Predict] > predict.go
//
// writes a Go source file that needs only the standard library (package
// math): a function from one sample of raw inputs to the outputs, with the
// scalings and every weight built in, giving Model.Predict's outputs to
// rounding (MATLAB's genFunction). It handles Sequential models of Dense
// layers with any golem activation, Activation and Dropout layers, and
// golem's minmax and standardize scalings; any other layer is an error
// naming it.
package main
