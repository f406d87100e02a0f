// Package nist reads the NIST StRD nonlinear regression problems and
// defines their models as golem layers, through the public API only.
//
// Load parses a problem's .dat file (in testdata: the data, both starting
// points, the certified values and standard errors) into a Problem; Model
// builds its curve as a layers.Parametric layer (Func gives the function
// alone), and LRE measures the certified digits a fit matched. Its tests are the NIST acceptance test of
// optim.CurveFit; package fit runs the same problems through fit.Curve.
package nist
