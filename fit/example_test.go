package fit_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/fit"
	"github.com/golem-ml/golem/graph"
)

// Misra1a (NIST StRD): 14 points, y = b1·(1 − exp(−b2·x)).
var (
	misraX = mat.NewDense(14, 1, []float64{77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0})
	misraY = []float64{10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78}
)

// A formula names its parameters and its input; Curve fits it and
// reports the parameters with standard errors (NIST certifies b1 =
// 238.94212918 ± 2.7070075241 and b2 = 0.00055015643181 ±
// 7.2668688436e-06).
func ExampleCurve() {
	model, err := fit.Expr("b1*(1-exp(-b2*x))")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := fit.Curve(context.Background(), model, misraX, misraY, fit.Options{
		Params: fit.Start(model, 500, 1e-4),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Params {
		fmt.Printf("%s = %.8g ± %.6g, 95%% interval [%.6g, %.6g]\n", p.Name, p.Value, p.StdErr, p.Lower, p.Upper)
	}
	fmt.Printf("χ² = %.8g on %d degrees of freedom, converged: %v\n", res.Chi2, res.DoF, res.Converged)
	fmt.Printf("correlation(b1, b2) = %.4f\n", res.Corr.At(0, 1))
	// Output:
	// b1 = 238.94213 ± 2.70701, 95% interval [233.044, 244.84]
	// b2 = 0.00055015643 ± 7.26687e-06, 95% interval [0.000534323, 0.00056599]
	// χ² = 0.12455139 on 12 degrees of freedom, converged: true
	// correlation(b1, b2) = -0.9988
}

// A model in Go code: the function receives the input columns and the
// scalar parameters as graph nodes; golem differentiates it.
func ExampleFunc() {
	model := fit.Func("Misra1a", func(e *graph.Expr, x, b []*G.Node) *G.Node {
		return e.Mul(b[0], e.Sub(e.Const(1), e.Exp(e.Neg(e.Mul(b[1], x[0])))))
	}, "b1", "b2")
	res, err := fit.Curve(context.Background(), model, misraX, misraY, fit.Options{
		Params: []fit.Param{fit.P("b1", 250), fit.P("b2", 5e-4)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("b1 = %.10g, b2 = %.10g\n", res.Value("b1"), res.Value("b2"))
	// Output:
	// b1 = 238.9421292, b2 = 0.0005501564318
}

// Bounds and fixed values are set per parameter by name; a parameter that
// ends on its bound is reported there and held fixed for the statistics.
func ExampleParam() {
	model, _ := fit.Expr("b1*(1-exp(-b2*x))")
	res, err := fit.Curve(context.Background(), model, misraX, misraY, fit.Options{
		Params: []fit.Param{fit.P("b1", 200).AtMost(230), fit.P("b2", 5e-4).AtLeast(0)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res.Params {
		fmt.Printf("%s = %.6g (%s)\n", p.Name, p.Value, p.Status)
	}
	// Output:
	// b1 = 230 (at upper bound)
	// b2 = 0.000575226 (free)
}

// The fitted curve with its 95 % confidence band (for the curve) and
// prediction band (for a new measurement) at new points.
func ExampleResult_Band() {
	model, _ := fit.Expr("b1*(1-exp(-b2*x))")
	res, err := fit.Curve(context.Background(), model, misraX, misraY, fit.Options{Params: fit.Start(model, 250, 5e-4)})
	if err != nil {
		fmt.Println(err)
		return
	}
	band, err := res.Band(context.Background(), mat.NewDense(2, 1, []float64{400, 1000}), 0.95, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, x := range []float64{400, 1000} {
		fmt.Printf("x = %4g: y = %.4f ± %.4f (curve), ± %.4f (new point)\n", x, band.Fit[i], band.Confidence[i], band.Prediction[i])
	}
	// Output:
	// x =  400: y = 47.1986 ± 0.0768 (curve), ± 0.2349 (new point)
	// x = 1000: y = 101.1061 ± 0.3339 (curve), ± 0.4010 (new point)
}

// The report, in the layout of lmfit's fit_report.
func ExampleResult_Report() {
	model, _ := fit.Expr("b1*(1-exp(-b2*x))")
	res, err := fit.Curve(context.Background(), model, misraX, misraY, fit.Options{Params: fit.Start(model, 250, 5e-4)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(res.Report())
	// Output:
	// [[Model]]
	//     b1*(1-exp(-b2*x))
	// [[Fit Statistics]]
	//     # fitting method       = Levenberg–Marquardt, least squares
	//     # iterations           = 8
	//     # stop                 = converged_ftol (converged)
	//     # data points          = 14
	//     # variables            = 2
	//     # degrees of freedom   = 12
	//     chi-square             = 0.1245513889
	//     reduced chi-square     = 0.01037928241
	//     residual std. dev.     = 0.1018787633
	//     Akaike info crit       = -62.1093
	//     Bayesian info crit     = -60.8312
	//     R-squared              = 0.9999815801
	// [[Variables]]
	//     b1:  238.9421292 +/- 2.70701 (1.13%) (init = 250)
	//     b2:  0.0005501564318 +/- 7.26687e-06 (1.32%) (init = 0.0005)
	// [[Confidence intervals (95%)]]
	//     b1:  [233.0440665, 244.8401919]
	//     b2:  [0.0005343232847, 0.0005659895789]
	// [[Correlations]] (unreported correlations are < 0.100)
	//     C(b1, b2) = -0.9988
}
