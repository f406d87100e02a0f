package optim

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// firstOrderOptimizer is what every first-order optimizer offers.
type firstOrderOptimizer interface {
	Optimizer
	Initializer
	RateScaler
	EpochObserver
	Validator
}

// firstOrderState returns the embedded firstOrder of a first-order
// optimizer, for white-box checks of its state.
func firstOrderState(o Optimizer) *firstOrder {
	switch o := o.(type) {
	case *SGDOptimizer:
		return &o.firstOrder
	case *MomentumOptimizer:
		return &o.firstOrder
	case *AdagradOptimizer:
		return &o.firstOrder
	case *AdadeltaOptimizer:
		return &o.firstOrder
	case *RMSpropOptimizer:
		return &o.firstOrder
	case *AdamOptimizer:
		return &o.firstOrder
	}
	panic("not a first-order optimizer")
}

// lifecycleCases builds a fresh instance of every first-order optimizer
// and variant, with schedules and a plateau among them.
func lifecycleCases() map[string]func() firstOrderOptimizer {
	return map[string]func() firstOrderOptimizer{
		"sgd": func() firstOrderOptimizer { return SGD(SGDConfig{LearningRate: 0.05}) },
		"sgd+step": func() firstOrderOptimizer {
			return SGD(SGDConfig{LearningRate: 0.05, Schedule: StepDecay{Every: 3, Factor: 0.5}})
		},
		"momentum+cosine": func() firstOrderOptimizer {
			return Momentum(MomentumConfig{LearningRate: 0.02, Schedule: CosineDecay{Steps: 15}})
		},
		"nesterov": func() firstOrderOptimizer { return Nesterov(MomentumConfig{LearningRate: 0.02}) },
		"adagrad":  func() firstOrderOptimizer { return Adagrad(AdagradConfig{LearningRate: 0.1}) },
		"adadelta": func() firstOrderOptimizer { return Adadelta(AdadeltaConfig{LearningRate: 1}) },
		"rmsprop":  func() firstOrderOptimizer { return RMSprop(RMSpropConfig{LearningRate: 0.01}) },
		"rmsprop+centered": func() firstOrderOptimizer {
			return RMSprop(RMSpropConfig{LearningRate: 0.01, Centered: true, Momentum: 0.5})
		},
		"adam":    func() firstOrderOptimizer { return Adam(AdamConfig{LearningRate: 0.05}) },
		"amsgrad": func() firstOrderOptimizer { return Adam(AdamConfig{LearningRate: 0.05, AMSGrad: true}) },
		"adamw":   func() firstOrderOptimizer { return AdamW(AdamWConfig{AdamConfig: AdamConfig{LearningRate: 0.05}}) },
		"adam+plateau": func() firstOrderOptimizer {
			return Adam(AdamConfig{LearningRate: 0.05, Schedule: NewPlateau(PlateauConfig{Patience: 1})})
		},
		"rmsprop+plateau": func() firstOrderOptimizer {
			return RMSprop(RMSpropConfig{LearningRate: 0.01, Schedule: NewPlateau(PlateauConfig{Patience: 1, Factor: 0.5})})
		},
	}
}

// drive takes steps from..to-1 (counted over the whole sequence) of a
// fixed script on q: every third step ends an epoch with a flat monitored
// loss (so a plateau reduces the rate) and step 4 scales the rate, as
// ReduceLROnPlateau would.
func drive(t *testing.T, o firstOrderOptimizer, q *quadratic, from, to int) {
	t.Helper()
	for k := from; k < to; k++ {
		_, err := o.Step(context.Background(), q)
		require.NoError(t, err, "step %d", k+1)
		if k%3 == 2 {
			o.EndEpoch(1)
		}
		if k == 4 {
			o.ScaleRate(0.5)
		}
	}
}

// TestInitStartsAFreshRun: an optimizer used for one run, then Init and a
// second run from the same weights, ends bit for bit where a fresh
// optimizer ends, whether the second run steps the same θ or another one;
// the moments, step counter, ScaleRate factor and plateau all reset.
func TestInitStartsAFreshRun(t *testing.T) {
	for name, mk := range lifecycleCases() {
		t.Run(name, func(t *testing.T) {
			fresh, q := mk(), newQuadratic()
			drive(t, fresh, q, 0, 12)
			want := q.theta

			used := mk()
			same := newQuadratic()
			drive(t, used, same, 0, 12)
			for _, q2 := range []*quadratic{newQuadratic(), same} {
				copy(q2.theta, newQuadratic().theta)
				require.NoError(t, used.Init(Problem{Params: 3}))
				assert.Equal(t, 1.0, used.RateScale())
				drive(t, used, q2, 0, 12)
				assert.Equal(t, want, q2.theta, "Init then 12 steps differs from a fresh optimizer")
			}
			// Init before the first step is the same as no Init.
			first, q3 := mk(), newQuadratic()
			require.NoError(t, first.Init(Problem{Params: 3}))
			drive(t, first, q3, 0, 12)
			assert.Equal(t, want, q3.theta)
		})
	}
}

// TestContinueIsExact: 10 steps, Init with Continue, 10 more steps equal
// 20 steps of one run bit for bit, ScaleRate and plateau state included.
func TestContinueIsExact(t *testing.T) {
	for name, mk := range lifecycleCases() {
		t.Run(name, func(t *testing.T) {
			one, q1 := mk(), newQuadratic()
			drive(t, one, q1, 0, 20)

			two, q2 := mk(), newQuadratic()
			require.NoError(t, two.Init(Problem{Params: 3}))
			drive(t, two, q2, 0, 10)
			require.NoError(t, two.Init(Problem{Params: 3, Continue: true}))
			drive(t, two, q2, 10, 20)
			assert.Equal(t, q1.theta, q2.theta)
			assert.Equal(t, one.RateScale(), two.RateScale())

			assert.ErrorContains(t, two.Init(Problem{Params: 4, Continue: true}), "cannot continue a run of 3 parameters with 4")
		})
	}
}

func TestInitChecksTheProblem(t *testing.T) {
	for name, mk := range lifecycleCases() {
		o := mk()
		assert.ErrorContains(t, o.Init(Problem{}), "0 parameters", name)
		require.NoError(t, o.Init(Problem{Params: 4}), name)
		_, err := o.Step(context.Background(), newQuadratic())
		assert.ErrorContains(t, err, "initialized for 4 parameters, the objective has 3", name)
		// Continue on an optimizer that never ran starts a run.
		o = mk()
		require.NoError(t, o.Init(Problem{Params: 3, Continue: true}), name)
		_, err = o.Step(context.Background(), newQuadratic())
		assert.NoError(t, err, name)
	}
}

func TestPlateauReset(t *testing.T) {
	p := NewPlateau(PlateauConfig{Patience: 1})
	p.EndEpoch(1)
	p.EndEpoch(1)
	require.InDelta(t, 0.1, p.Scale(), 1e-15)
	p.Reset()
	assert.Equal(t, NewPlateau(PlateauConfig{Patience: 1}), p)
	var _ StatefulSchedule = p
}

// linear has a constant gradient w and a constant loss: with a huge
// learning rate every optimizer walks θ towards overflow.
type linear struct {
	theta, w []float64
	loss     float64
}

func (l *linear) Params() []float64      { return l.theta }
func (l *linear) Loss() (float64, error) { return l.loss, nil }
func (l *linear) Gradient(g []float64) (float64, error) {
	copy(g, l.w)
	return l.loss, nil
}

// snapshot is everything a first-order step may change.
type snapshot struct {
	theta   []float64
	vectors [][]float64
	steps   int
	factor  float64
}

func snap(o Optimizer, theta []float64) snapshot {
	f := firstOrderState(o)
	s := snapshot{theta: append([]float64(nil), theta...), steps: f.steps, factor: f.factor}
	for _, v := range f.vectors {
		s.vectors = append(s.vectors, append([]float64(nil), *v.v...))
	}
	return s
}

// TestNoStepLeavesNonFiniteWeights: with a learning rate of 1e307 every
// optimizer eventually computes an update that overflows. That step is
// refused with ErrNotFinite naming the parameter, and θ and the whole
// optimizer state are bit for bit what they were before it.
func TestNoStepLeavesNonFiniteWeights(t *testing.T) {
	const lr = 1e307
	for name, o := range map[string]Optimizer{
		"sgd":              SGD(SGDConfig{LearningRate: lr}),
		"momentum":         Momentum(MomentumConfig{LearningRate: lr}),
		"nesterov":         Nesterov(MomentumConfig{LearningRate: lr}),
		"adagrad":          Adagrad(AdagradConfig{LearningRate: lr}),
		"adadelta":         Adadelta(AdadeltaConfig{LearningRate: lr, Epsilon: 1}),
		"rmsprop":          RMSprop(RMSpropConfig{LearningRate: lr}),
		"rmsprop+centered": RMSprop(RMSpropConfig{LearningRate: lr, Centered: true, Momentum: 0.5}),
		"adam":             Adam(AdamConfig{LearningRate: lr}),
		"amsgrad":          Adam(AdamConfig{LearningRate: lr, AMSGrad: true}),
		"adamw":            AdamW(AdamWConfig{AdamConfig: AdamConfig{LearningRate: lr}}),
		"adam+plateau":     Adam(AdamConfig{LearningRate: lr, Schedule: NewPlateau(PlateauConfig{})}),
	} {
		t.Run(name, func(t *testing.T) {
			l := &linear{theta: []float64{0, 0, 0}, w: []float64{1, -2, 0.5}, loss: 1}
			var err error
			var before snapshot
			for k := 0; k < 1000 && err == nil; k++ {
				before = snap(o, l.theta)
				_, err = o.Step(context.Background(), l)
			}
			require.ErrorIs(t, err, ErrNotFinite)
			assert.Contains(t, err.Error(), "weights left unchanged")
			assert.Contains(t, err.Error(), "would make parameter")
			assert.Equal(t, before, snap(o, l.theta), "θ or the optimizer state changed")
			for i, v := range l.theta {
				assert.False(t, math.IsInf(v, 0) || math.IsNaN(v), "θ[%d] = %v", i, v)
			}
		})
	}
}

// TestIssueCasesEndFinite replays issue 10's measurements: SGD at lr 1000
// and Adam at lr 1e308 diverge on a quadratic; they must stop with
// ErrNotFinite and finite weights, not run on with infinite ones.
func TestIssueCasesEndFinite(t *testing.T) {
	for name, o := range map[string]Optimizer{
		"sgd lr 1000":   SGD(SGDConfig{LearningRate: 1000}),
		"adam lr 1e308": Adam(AdamConfig{LearningRate: 1e308}),
	} {
		q := newQuadratic()
		var err error
		for k := 0; k < 1000 && err == nil; k++ {
			_, err = o.Step(context.Background(), q)
		}
		require.ErrorIs(t, err, ErrNotFinite, name)
		for i, v := range q.theta {
			assert.False(t, math.IsInf(v, 0) || math.IsNaN(v), "%s: θ[%d] = %v", name, i, v)
		}
	}
}

// TestNonFiniteLossIsRefused: an infinite or NaN loss with a finite
// gradient is refused before anything changes.
func TestNonFiniteLossIsRefused(t *testing.T) {
	for _, loss := range []float64{math.Inf(1), math.NaN()} {
		for name, mk := range lifecycleCases() {
			o := mk()
			l := &linear{theta: []float64{1, 2, 3}, w: []float64{1, -2, 0.5}, loss: 1}
			_, err := o.Step(context.Background(), l)
			require.NoError(t, err)
			l.loss = loss
			before := snap(o, l.theta)
			_, err = o.Step(context.Background(), l)
			require.ErrorIs(t, err, ErrNotFinite, name)
			assert.Contains(t, err.Error(), "the loss is", name)
			assert.Contains(t, err.Error(), "weights left unchanged", name)
			assert.Equal(t, before, snap(o, l.theta), name)
		}
	}
}

// TestOverflowingStateIsRefused: a finite gradient whose square overflows
// would leave an infinite second moment (and θ silently frozen); the step
// is refused and nothing changes.
func TestOverflowingStateIsRefused(t *testing.T) {
	for name, o := range map[string]Optimizer{
		"adagrad":  Adagrad(AdagradConfig{}),
		"adadelta": Adadelta(AdadeltaConfig{}),
		"rmsprop":  RMSprop(RMSpropConfig{}),
		"adam":     Adam(AdamConfig{}),
	} {
		l := &linear{theta: []float64{1, 2, 3}, w: []float64{1, -1e200, 0.5}, loss: 1}
		before := snap(o, l.theta)
		_, err := o.Step(context.Background(), l)
		require.ErrorIs(t, err, ErrNotFinite, name)
		assert.Contains(t, err.Error(), "the optimizer's state of parameter 1", name)
		after := snap(o, l.theta)
		assert.Equal(t, before.theta, after.theta, name)
		assert.Equal(t, 0, after.steps, name)
		for _, v := range after.vectors {
			for _, x := range v {
				assert.False(t, math.IsInf(x, 0) || math.IsNaN(x), name)
			}
		}
	}
}

// TestClipNormOfAnOverflowingGradient: a finite gradient whose squared
// norm overflows is still rescaled to the clipping norm, not to zero.
func TestClipNormOfAnOverflowingGradient(t *testing.T) {
	g := []float64{3e200, -4e200}
	Clipping{Norm: 1}.apply(g)
	assert.InDeltaSlice(t, []float64{0.6, -0.8}, g, 1e-15)
}

// TestValidateRejectsNonFinite sets each float field of each config, one at
// a time, to NaN, +Inf and -Inf; Validate must refuse every one, on the
// config and on the optimizer built from it.
func TestValidateRejectsNonFinite(t *testing.T) {
	type field struct {
		name string
		set  func(v float64) (Validator, Validator) // the config and the optimizer
	}
	sched := func(s Schedule) (Validator, Validator) {
		return SGDConfig{Schedule: s}, SGD(SGDConfig{Schedule: s})
	}
	fields := []field{
		{"SGD.LearningRate", func(v float64) (Validator, Validator) { c := SGDConfig{LearningRate: v}; return c, SGD(c) }},
		{"SGD.Clip.Norm", func(v float64) (Validator, Validator) { c := SGDConfig{Clip: Clipping{Norm: v}}; return c, SGD(c) }},
		{"SGD.Clip.Value", func(v float64) (Validator, Validator) { c := SGDConfig{Clip: Clipping{Value: v}}; return c, SGD(c) }},
		{"Momentum.LearningRate", func(v float64) (Validator, Validator) {
			c := MomentumConfig{LearningRate: v}
			return c, Momentum(c)
		}},
		{"Momentum.Momentum", func(v float64) (Validator, Validator) { c := MomentumConfig{Momentum: v}; return c, Nesterov(c) }},
		{"Momentum.Clip.Norm", func(v float64) (Validator, Validator) {
			c := MomentumConfig{Clip: Clipping{Norm: v}}
			return c, Momentum(c)
		}},
		{"Adagrad.LearningRate", func(v float64) (Validator, Validator) { c := AdagradConfig{LearningRate: v}; return c, Adagrad(c) }},
		{"Adagrad.InitialAccumulator", func(v float64) (Validator, Validator) {
			c := AdagradConfig{InitialAccumulator: v}
			return c, Adagrad(c)
		}},
		{"Adagrad.Epsilon", func(v float64) (Validator, Validator) { c := AdagradConfig{Epsilon: v}; return c, Adagrad(c) }},
		{"Adagrad.Clip.Value", func(v float64) (Validator, Validator) {
			c := AdagradConfig{Clip: Clipping{Value: v}}
			return c, Adagrad(c)
		}},
		{"Adadelta.LearningRate", func(v float64) (Validator, Validator) {
			c := AdadeltaConfig{LearningRate: v}
			return c, Adadelta(c)
		}},
		{"Adadelta.Rho", func(v float64) (Validator, Validator) { c := AdadeltaConfig{Rho: v}; return c, Adadelta(c) }},
		{"Adadelta.Epsilon", func(v float64) (Validator, Validator) { c := AdadeltaConfig{Epsilon: v}; return c, Adadelta(c) }},
		{"Adadelta.Clip.Norm", func(v float64) (Validator, Validator) {
			c := AdadeltaConfig{Clip: Clipping{Norm: v}}
			return c, Adadelta(c)
		}},
		{"RMSprop.LearningRate", func(v float64) (Validator, Validator) { c := RMSpropConfig{LearningRate: v}; return c, RMSprop(c) }},
		{"RMSprop.Rho", func(v float64) (Validator, Validator) { c := RMSpropConfig{Rho: v}; return c, RMSprop(c) }},
		{"RMSprop.Epsilon", func(v float64) (Validator, Validator) { c := RMSpropConfig{Epsilon: v}; return c, RMSprop(c) }},
		{"RMSprop.Momentum", func(v float64) (Validator, Validator) { c := RMSpropConfig{Momentum: v}; return c, RMSprop(c) }},
		{"RMSprop.Clip.Value", func(v float64) (Validator, Validator) {
			c := RMSpropConfig{Clip: Clipping{Value: v}}
			return c, RMSprop(c)
		}},
		{"Adam.LearningRate", func(v float64) (Validator, Validator) { c := AdamConfig{LearningRate: v}; return c, Adam(c) }},
		{"Adam.Beta1", func(v float64) (Validator, Validator) { c := AdamConfig{Beta1: v}; return c, Adam(c) }},
		{"Adam.Beta2", func(v float64) (Validator, Validator) { c := AdamConfig{Beta2: v}; return c, Adam(c) }},
		{"Adam.Epsilon", func(v float64) (Validator, Validator) { c := AdamConfig{Epsilon: v, AMSGrad: true}; return c, Adam(c) }},
		{"Adam.Clip.Norm", func(v float64) (Validator, Validator) { c := AdamConfig{Clip: Clipping{Norm: v}}; return c, Adam(c) }},
		{"AdamW.WeightDecay", func(v float64) (Validator, Validator) { c := AdamWConfig{WeightDecay: v}; return c, AdamW(c) }},
		{"AdamW.LearningRate", func(v float64) (Validator, Validator) {
			c := AdamWConfig{AdamConfig: AdamConfig{LearningRate: v}}
			return c, AdamW(c)
		}},
		{"StepDecay.Factor", func(v float64) (Validator, Validator) { return sched(StepDecay{Every: 1, Factor: v}) }},
		{"ExponentialDecay.Decay", func(v float64) (Validator, Validator) { return sched(ExponentialDecay{Steps: 1, Decay: v}) }},
		{"CosineDecay.Alpha", func(v float64) (Validator, Validator) { return sched(CosineDecay{Steps: 1, Alpha: v}) }},
		{"Plateau.Factor", func(v float64) (Validator, Validator) {
			return PlateauConfig{Factor: v}, Adam(AdamConfig{Schedule: NewPlateau(PlateauConfig{Factor: v})})
		}},
		{"Plateau.MinDelta", func(v float64) (Validator, Validator) {
			return PlateauConfig{MinDelta: v}, Adam(AdamConfig{Schedule: NewPlateau(PlateauConfig{MinDelta: v})})
		}},
		{"Plateau.MinRate", func(v float64) (Validator, Validator) {
			return PlateauConfig{MinRate: v}, Adam(AdamConfig{Schedule: NewPlateau(PlateauConfig{MinRate: v})})
		}},
	}
	for _, f := range fields {
		for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			cfg, opt := f.set(v)
			assert.Error(t, cfg.Validate(), "%s = %v: the config accepts it", f.name, v)
			assert.Error(t, opt.Validate(), "%s = %v: the optimizer accepts it", f.name, v)
		}
		// A valid value passes, so the rejections above are about v.
		cfg, opt := f.set(0.5)
		assert.NoError(t, cfg.Validate(), f.name)
		assert.NoError(t, opt.Validate(), f.name)
	}
}

func TestValidateSchedulesAndRanges(t *testing.T) {
	for _, s := range []Schedule{
		StepDecay{Factor: 0.5}, StepDecay{Every: 1, Factor: -1}, StepDecay{Every: 1},
		ExponentialDecay{Decay: 0.9}, ExponentialDecay{Steps: 1, Decay: 0},
		CosineDecay{}, CosineDecay{Steps: 1, Alpha: -0.1},
		NewPlateau(PlateauConfig{Factor: 1}), NewPlateau(PlateauConfig{Factor: -0.5}),
		NewPlateau(PlateauConfig{Patience: -1}), NewPlateau(PlateauConfig{Cooldown: -1}),
		NewPlateau(PlateauConfig{MinRate: -1}), (*Plateau)(nil),
	} {
		assert.Error(t, SGD(SGDConfig{Schedule: s}).Validate(), "%#v", s)
		assert.Error(t, Adam(AdamConfig{Schedule: s}).Validate(), "%#v", s)
	}
	for _, s := range []Schedule{StepDecay{Every: 1, Factor: 2}, ExponentialDecay{Steps: 1, Decay: 0.5}, CosineDecay{Steps: 1}, NewPlateau(PlateauConfig{})} {
		assert.NoError(t, RMSprop(RMSpropConfig{Schedule: s}).Validate(), "%#v", s)
	}
	// A finite negative value means 0 where 0 is meaningful: valid on the
	// config as on the optimizer.
	for _, v := range []Validator{
		AdamConfig{Epsilon: -1, Beta1: -1}, AdagradConfig{InitialAccumulator: -1, Epsilon: -1},
		MomentumConfig{Momentum: -1}, AdamWConfig{WeightDecay: -1}, PlateauConfig{MinDelta: -1},
	} {
		assert.NoError(t, v.Validate(), "%#v", v)
	}
	assert.Equal(t, 0.0, NewPlateau(PlateauConfig{MinDelta: -1}).Config().MinDelta)
	// Messages name the field.
	err := Adam(AdamConfig{Beta1: math.NaN()}).Validate()
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "β₁"), err.Error())
}

// TestLazyBindingKeepsEarlyRateChanges: without Init, a ScaleRate before
// the first step still applies to it.
func TestLazyBindingKeepsEarlyRateChanges(t *testing.T) {
	q, r := newQuadratic(), newQuadratic()
	scaled := SGD(SGDConfig{LearningRate: 0.1})
	scaled.ScaleRate(0.5)
	_, err := scaled.Step(context.Background(), q)
	require.NoError(t, err)
	_, err = SGD(SGDConfig{LearningRate: 0.05}).Step(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, r.theta, q.theta)
}
