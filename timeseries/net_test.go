package timeseries

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/golem-ml/golem"
	"github.com/golem-ml/golem/losses"
	"github.com/golem-ml/golem/optim"
)

// narendra simulates y(t) = y(t−1)·y(t−2)·(y(t−1)+2.5)/(1+y(t−1)²+y(t−2)²)
// + u(t−1), driven by a seeded random input held for a few steps.
func narendra(n int, seed uint64) (u, y *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 7))
	u, y = mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	v := 0.0
	for t := 0; t < n; t++ {
		if t%3 == 0 {
			v = 4*rng.Float64() - 2
		}
		u.Set(t, 0, v)
		if t >= 2 {
			y1, y2 := y.At(t-1, 0), y.At(t-2, 0)
			y.Set(t, 0, y1*y2*(y1+2.5)/(1+y1*y1+y2*y2)+u.At(t-1, 0))
		}
	}
	return u, y
}

func rmse(e *mat.Dense) float64 {
	r, c := e.Dims()
	s := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			s += e.At(i, j) * e.At(i, j)
		}
	}
	return math.Sqrt(s / float64(r*c))
}

func TestNARXOpenAndClosedLoop(t *testing.T) {
	u, y := narendra(400, 1)
	ut, yt := narendra(200, 2)
	net := NARX([]int{1, 2}, []int{1, 2}, 8)
	require.NoError(t, net.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{}), golem.WithSeed(2)))
	_, err := net.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 100})
	require.NoError(t, err)
	open, err := net.Predict(ut, yt)
	require.NoError(t, err)
	t.Logf("open loop one-step RMSE %.4g", rmse(open.Errors))
	assert.Less(t, rmse(open.Errors), 0.1)
	assert.Equal(t, 2, open.Times[0])

	closed, err := net.Close(20)
	require.NoError(t, err)
	before, err := closed.Predict(ut, yt)
	require.NoError(t, err)
	t.Logf("closed loop RMSE %.4g (of %d steps)", rmse(before.Errors), len(before.Times))
	require.NoError(t, closed.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	h, err := closed.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 20})
	require.NoError(t, err)
	t.Logf("closed-loop training loss %v, stop %v", h.Loss, h.Stop)
	assert.Less(t, h.Loss[len(h.Loss)-1], h.Loss[0])
	after, err := closed.Predict(ut, yt)
	require.NoError(t, err)
	t.Logf("closed loop after closed-loop training RMSE %.4g", rmse(after.Errors))
	assert.Less(t, rmse(after.Errors), 0.5)

	// The closed-loop Jacobian through the recurrence against finite
	// differences.
	su, sy, err := closed.scaled(u, y, false)
	require.NoError(t, err)
	x, yy := closed.segments(su, sy, 20, []int{2, 30, 80})
	c, err := closed.loop.CheckJacobian(context.Background(), x, yy)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
	assert.Empty(t, golem.SlowRoutes(c.Routes))

	// Forecast continues from the states of the last series seen.
	f, err := closed.Forecast(ut.Slice(0, 5, 0, 1), 5)
	require.NoError(t, err)
	assert.Equal(t, 5, f.RawMatrix().Rows)
}

func TestNARAndLayerRecurrent(t *testing.T) {
	n := 300
	y := mat.NewDense(n, 1, nil)
	u := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		y.Set(i, 0, math.Sin(0.3*float64(i))+0.5*math.Sin(0.11*float64(i)))
		u.Set(i, 0, math.Sin(0.2*float64(i)))
	}
	nar := NAR([]int{1, 2, 3}, 6)
	require.NoError(t, nar.Compile(0, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err := nar.Fit(context.Background(), nil, y, golem.FitConfig{Epochs: 50})
	require.NoError(t, err)
	r, err := nar.Predict(nil, y)
	require.NoError(t, err)
	assert.Less(t, rmse(r.Errors), 1e-2)

	// A layer-recurrent net learns y(t) = u(t)·u(t−3)-ish memory.
	yl := mat.NewDense(n, 1, nil)
	for i := 3; i < n; i++ {
		yl.Set(i, 0, 0.5*u.At(i, 0)+0.4*u.At(i-3, 0))
	}
	lr := LayerRecurrent([]int{0}, []int{1, 2}, 5)
	require.NoError(t, lr.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err = lr.Fit(context.Background(), u.Slice(0, 100, 0, 1), yl.Slice(0, 100, 0, 1), golem.FitConfig{Epochs: 30})
	require.NoError(t, err)
	rl, err := lr.Predict(u.Slice(0, 100, 0, 1), yl.Slice(0, 100, 0, 1))
	require.NoError(t, err)
	t.Logf("layrec RMSE %.4g", rmse(rl.Errors))
	assert.Less(t, rmse(rl.Errors), 0.05)
}

// An open-loop net converted to closed loop saves and loads with its
// weights, scaling and delay states: the loaded net forecasts the same
// bits, and trains on.
func TestClosedLoopSaveLoad(t *testing.T) {
	u, y := narendra(200, 3)
	net := NARX([]int{1, 2}, []int{1, 2}, 5)
	require.NoError(t, net.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err := net.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 10})
	require.NoError(t, err)
	closed, err := net.Close(10)
	require.NoError(t, err)
	future, _ := narendra(8, 4)
	want, err := closed.Forecast(future, 8)
	require.NoError(t, err)

	var buf bytes.Buffer
	require.NoError(t, closed.Save(&buf))
	loaded, err := Load(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.True(t, loaded.Closed())
	got, err := loaded.Forecast(future, 8)
	require.NoError(t, err)
	assert.True(t, mat.Equal(want, got), "the same forecast from the loaded delay states")
	assert.Equal(t, closed.lastY.RawMatrix().Data, loaded.lastY.RawMatrix().Data)

	pw, err := closed.Predict(u, y)
	require.NoError(t, err)
	pg, err := loaded.Predict(u, y)
	require.NoError(t, err)
	assert.True(t, mat.Equal(pw.Outputs, pg.Outputs))

	// It trains on in closed loop from the loaded weights.
	require.NoError(t, loaded.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	h, err := loaded.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 3})
	require.NoError(t, err)
	assert.Len(t, h.Loss, 3)

	// A damaged file is refused.
	bad := append([]byte(nil), buf.Bytes()...)
	bad[len(bad)-10] ^= 0xff
	_, err = Load(bytes.NewReader(bad))
	require.Error(t, err)
	_, err = Load(bytes.NewReader([]byte("nonsense")))
	require.Error(t, err)
}

func TestTimeDelayNet(t *testing.T) {
	n := 200
	rng := rand.New(rand.NewPCG(5, 5))
	u, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		u.Set(i, 0, 2*rng.Float64()-1)
		u.Set(i, 1, 2*rng.Float64()-1)
		if i >= 1 {
			y.Set(i, 0, math.Tanh(u.At(i, 0)+0.5*u.At(i-1, 1)))
		}
	}
	td := TimeDelay([]int{0, 1}, 4)
	require.NoError(t, td.Compile(2, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err := td.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 50})
	require.NoError(t, err)
	r, err := td.Predict(u, y)
	require.NoError(t, err)
	assert.Less(t, rmse(r.Errors), 1e-3)
	assert.Equal(t, 1, r.Times[0])
	// Closing a net without feedback changes nothing.
	c, err := td.Close(0)
	require.NoError(t, err)
	rc, err := c.Predict(u, y)
	require.NoError(t, err)
	assert.True(t, mat.EqualApprox(r.Outputs, rc.Outputs, 1e-12))
}

func TestNetErrors(t *testing.T) {
	lm := func() optim.Optimizer { return optim.LM(optim.LMConfig{}) }
	for _, tc := range []struct {
		name string
		net  *Net
		in   int
		want string
	}{
		{"feedback delay 0", NARX([]int{1}, []int{0}), 1, "≥ 1"},
		{"duplicate delay", NAR([]int{1, 1}), 0, "twice"},
		{"NARX without feedback", NARX([]int{1}, nil), 1, "feedback delays"},
		{"NAR with inputs", NAR([]int{1}), 1, "no exogenous input"},
		{"time delay without inputs", TimeDelay([]int{1}), 0, "needs input channels"},
		{"hidden size", NAR([]int{1}, 0), 0, "positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.net.Compile(tc.in, 1, losses.MSE(), lm())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	net := NARX([]int{1, 2}, []int{1, 2}, 3)
	require.NoError(t, net.Compile(1, 1, losses.MSE(), lm()))
	u, y := narendra(20, 1)
	_, err := net.Fit(context.Background(), u.Slice(0, 10, 0, 1), y, golem.FitConfig{Epochs: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "u has 10 steps, y has 20")
	bad := mat.DenseCopyOf(y)
	bad.Set(7, 0, math.NaN())
	_, err = net.Fit(context.Background(), u, bad, golem.FitConfig{Epochs: 1})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "step 7")
	_, err = net.Forecast(nil, 3)
	require.Error(t, err)
	_, err = net.Fit(context.Background(), u.Slice(0, 2, 0, 1), y.Slice(0, 2, 0, 1), golem.FitConfig{Epochs: 1})
	require.Error(t, err)
}

// A layer-recurrent net saves and loads with its unrolled length.
func TestLayerRecurrentSaveLoad(t *testing.T) {
	n := 60
	u, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		u.Set(i, 0, math.Sin(0.4*float64(i)))
		if i >= 2 {
			y.Set(i, 0, 0.5*u.At(i-2, 0))
		}
	}
	lr := LayerRecurrent([]int{0}, []int{1}, 3)
	require.NoError(t, lr.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err := lr.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 5})
	require.NoError(t, err)
	want, err := lr.Predict(u, y)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, lr.Save(&buf))
	back, err := Load(&buf)
	require.NoError(t, err)
	got, err := back.Predict(u, y)
	require.NoError(t, err)
	assert.True(t, mat.Equal(want.Outputs, got.Outputs))
}

// Adam trains a NARX net too, in open and in closed loop (the gradient of
// the unrolled network), and a rejected Fit changes nothing: not the
// weights, not the scaling the first Fit fits.
func TestNARXWithAdamAndRejectedFit(t *testing.T) {
	u, y := narendra(300, 6)
	net := NARX([]int{1, 2}, []int{1, 2}, 6)
	require.NoError(t, net.Compile(1, 1, losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.01})))

	short := y.Slice(0, 2, 0, 1)
	_, err := net.Fit(context.Background(), u.Slice(0, 2, 0, 1), short, golem.FitConfig{Epochs: 1})
	require.Error(t, err)
	assert.Nil(t, net.scaleY, "a rejected first Fit fits no scaling")
	before := append([]float64(nil), net.weights()...)
	_, err = net.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 1, BatchSize: -5})
	require.Error(t, err)
	assert.Equal(t, before, net.weights())
	assert.Nil(t, net.scaleY)

	h, err := net.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 200, BatchSize: 32})
	require.NoError(t, err)
	assert.Less(t, h.Loss[len(h.Loss)-1], h.Loss[0]/10)
	closed, err := net.Close(10)
	require.NoError(t, err)
	require.NoError(t, closed.Compile(1, 1, losses.MSE(), optim.Adam(optim.AdamConfig{LearningRate: 0.003})))
	hc, err := closed.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 30, BatchSize: 8})
	require.NoError(t, err)
	assert.Less(t, hc.Loss[len(hc.Loss)-1], hc.Loss[0])
	// The trained weights reach the one-step network closed-loop
	// prediction uses.
	assert.Equal(t, closed.loop.Params().Theta(), closed.cell.Params().Theta())
}

// Several input and target channels, open and closed loop, with the
// closed-loop Jacobian checked.
func TestNARXSeveralChannels(t *testing.T) {
	n := 300
	rng := rand.New(rand.NewPCG(8, 8))
	u, y := mat.NewDense(n, 2, nil), mat.NewDense(n, 2, nil)
	for i := 0; i < n; i++ {
		u.Set(i, 0, 2*rng.Float64()-1)
		u.Set(i, 1, math.Sin(0.1*float64(i)))
		if i >= 2 {
			y.Set(i, 0, 0.5*y.At(i-1, 0)+0.3*math.Tanh(y.At(i-2, 1))+u.At(i-1, 0))
			y.Set(i, 1, 0.4*y.At(i-1, 1)+0.5*u.At(i-2, 1)*u.At(i-1, 0))
		}
	}
	net := NARX([]int{1, 2}, []int{1, 2}, 8)
	require.NoError(t, net.Compile(2, 2, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err := net.Fit(context.Background(), u, y, golem.FitConfig{Epochs: 100})
	require.NoError(t, err)
	r, err := net.Predict(u, y)
	require.NoError(t, err)
	assert.Equal(t, 2, r.Outputs.RawMatrix().Cols)
	assert.Less(t, rmse(r.Errors), 0.05)
	closed, err := net.Close(6)
	require.NoError(t, err)
	sim, err := closed.Predict(u, y)
	require.NoError(t, err)
	assert.Less(t, rmse(sim.Errors), 0.2)
	require.NoError(t, closed.Compile(2, 2, losses.MSE(), optim.LM(optim.LMConfig{})))
	su, sy, err := closed.scaled(u, y, false)
	require.NoError(t, err)
	_, err = closed.loopModel(6)
	require.NoError(t, err)
	x, yy := closed.segments(su, sy, 6, []int{2, 50, 100, 200})
	c, err := closed.loop.CheckJacobian(context.Background(), x, yy)
	require.NoError(t, err)
	assert.Less(t, c.MaxRelError, 1e-6, c.String())
	f, err := closed.Forecast(u.Slice(0, 4, 0, 2), 4)
	require.NoError(t, err)
	assert.Equal(t, 4, f.RawMatrix().Rows)
}

// A layer-recurrent net predicts series of other lengths than it trained
// on, with its current weights each time.
func TestLayerRecurrentPredictsOtherLengths(t *testing.T) {
	n := 80
	u, y := mat.NewDense(n, 1, nil), mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		u.Set(i, 0, math.Sin(0.3*float64(i)))
		if i >= 1 {
			y.Set(i, 0, 0.7*u.At(i-1, 0))
		}
	}
	lr := LayerRecurrent([]int{0}, []int{1}, 3)
	require.NoError(t, lr.Compile(1, 1, losses.MSE(), optim.LM(optim.LMConfig{})))
	_, err := lr.Fit(context.Background(), u.Slice(0, 60, 0, 1), y.Slice(0, 60, 0, 1), golem.FitConfig{Epochs: 2})
	require.NoError(t, err)
	first, err := lr.Predict(u, y) // 80 steps: another unrolled length
	require.NoError(t, err)
	again, err := lr.Predict(u, y)
	require.NoError(t, err)
	assert.True(t, mat.Equal(first.Outputs, again.Outputs))
	_, err = lr.Fit(context.Background(), u.Slice(0, 60, 0, 1), y.Slice(0, 60, 0, 1), golem.FitConfig{Epochs: 20})
	require.NoError(t, err)
	later, err := lr.Predict(u, y)
	require.NoError(t, err)
	assert.Less(t, rmse(later.Errors), rmse(first.Errors), "the cached model sees the new weights")
}
