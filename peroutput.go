package golem

import (
	"errors"
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"

	"github.com/golem-ml/golem/graph"
	"github.com/golem-ml/golem/internal/engine"
	"github.com/golem-ml/golem/internal/graphrt"
	"github.com/golem-ml/golem/losses"
)

// OutputLoss is the loss of one output of a model with several outputs.
type OutputLoss struct {
	Loss losses.Loss
	// Weight multiplies this output's loss in the total (default 1; must
	// be finite and ≥ 0).
	Weight float64
}

// PerOutputLoss is the loss of a model with several outputs: output k is
// scored by part k, and the model's loss is Σₖ weightₖ·lossₖ (Keras's loss
// list with loss_weights). Its targets are the parts' targets side by side
// (see Columns): for output k, the columns part k's loss expects for that
// output. It has a least-squares form (so Levenberg–Marquardt trains with
// it) when every part has one: the residuals of all parts side by side,
// part k's scaled by √weightₖ. All parts must reduce alike (all means, or
// all sums).
type PerOutputLoss struct {
	parts  []OutputLoss
	widths []int // the outputs' widths, set by Compile; nil before
}

// PerOutput returns the loss of a model with one output per part, in the
// order of NewModel's outputs. A zero Weight means 1.
func PerOutput(parts ...OutputLoss) *PerOutputLoss {
	ps := append([]OutputLoss(nil), parts...)
	for i := range ps {
		if ps[i].Weight == 0 {
			ps[i].Weight = 1
		}
	}
	return &PerOutputLoss{parts: ps}
}

// Name lists the parts, e.g. "per_output(mse, 0.5·categorical_crossentropy)".
func (l *PerOutputLoss) Name() string {
	names := make([]string, len(l.parts))
	for i, p := range l.parts {
		n := "<nil>"
		if p.Loss != nil {
			n = p.Loss.Name()
		}
		if p.Weight != 1 {
			n = fmt.Sprintf("%g·%s", p.Weight, n)
		}
		names[i] = n
	}
	return "per_output(" + strings.Join(names, ", ") + ")"
}

// Parts returns the parts (with weights defaulted).
func (l *PerOutputLoss) Parts() []OutputLoss { return append([]OutputLoss(nil), l.parts...) }

// validate checks the parts against the model's output widths.
func (l *PerOutputLoss) validate(widths []int) error {
	if len(l.parts) != len(widths) {
		return fmt.Errorf("golem: the PerOutput loss has %d parts for a model with %d outputs", len(l.parts), len(widths))
	}
	for i, p := range l.parts {
		switch {
		case p.Loss == nil:
			return fmt.Errorf("golem: PerOutput: the loss of output %d is nil", i+1)
		case !(p.Weight >= 0) || math.IsInf(p.Weight, 0):
			return fmt.Errorf("golem: PerOutput: the weight of output %d is %v; it must be finite and ≥ 0", i+1, p.Weight)
		case p.Loss.Reduction() != l.parts[0].Loss.Reduction():
			return errors.New("golem: PerOutput: the parts reduce differently (some means, some sums); use losses of one kind")
		}
		if _, nested := p.Loss.(*PerOutputLoss); nested {
			return fmt.Errorf("golem: PerOutput: output %d's loss is itself a PerOutput", i+1)
		}
	}
	return nil
}

// bind returns a copy of l for outputs of the given widths.
func (l *PerOutputLoss) bind(widths []int) (*PerOutputLoss, error) {
	if err := l.validate(widths); err != nil {
		return nil, err
	}
	return &PerOutputLoss{parts: l.Parts(), widths: append([]int(nil), widths...)}, nil
}

// Reduction is the parts' common reduction.
func (l *PerOutputLoss) Reduction() losses.Reduction {
	if len(l.parts) == 0 || l.parts[0].Loss == nil {
		return losses.Mean
	}
	return l.parts[0].Loss.Reduction()
}

// TargetColumns is the parts' target columns added up; before Compile it
// assumes each part's output is as wide as the total.
func (l *PerOutputLoss) TargetColumns(outputs int) int {
	n := 0
	for i, p := range l.parts {
		if p.Loss != nil {
			n += p.Loss.TargetColumns(l.width(i, outputs))
		}
	}
	return n
}

func (l *PerOutputLoss) width(i, outputs int) int {
	if l.widths == nil {
		return outputs
	}
	return l.widths[i]
}

// CheckTarget checks each part's columns of a target row with its loss.
func (l *PerOutputLoss) CheckTarget(target []float64, outputs int) error {
	col := 0
	for i, p := range l.parts {
		w := l.width(i, outputs)
		n := p.Loss.TargetColumns(w)
		if col+n > len(target) {
			return fmt.Errorf("output %d: the target row is too short", i+1)
		}
		if err := p.Loss.CheckTarget(target[col:col+n], w); err != nil {
			return fmt.Errorf("output %d (%s): %w", i+1, p.Loss.Name(), err)
		}
		col += n
	}
	return nil
}

// split returns each output's node and target columns.
func (l *PerOutputLoss) split(b *graph.Builder, pred, target *G.Node) (preds, targets []*G.Node, err error) {
	if l.widths == nil {
		return nil, nil, errors.New("the PerOutput loss is used before Compile")
	}
	parts, ok := engine.Parts(b, pred)
	if !ok || len(parts) != len(l.parts) {
		return nil, nil, fmt.Errorf("the PerOutput loss needs the model's %d outputs, got one node of shape %v", len(l.parts), pred.Shape())
	}
	col := 0
	for i, p := range l.parts {
		n := p.Loss.TargetColumns(l.widths[i])
		t, err := sliceColumns(target, col, col+n)
		if err != nil {
			return nil, nil, err
		}
		targets = append(targets, t)
		col += n
	}
	return parts, targets, nil
}

// PerSample is Σₖ weightₖ·ℓₖ for each sample.
func (l *PerOutputLoss) PerSample(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	preds, targets, err := l.split(b, pred, target)
	if err != nil {
		return nil, err
	}
	var total *G.Node
	for i, p := range l.parts {
		per, err := p.Loss.PerSample(b, preds[i], targets[i])
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", i+1, err)
		}
		if err := graphrt.Catch(func() error {
			var e error
			if p.Weight != 1 {
				if per, e = G.HadamardProd(per, G.NewConstant(p.Weight)); e != nil {
					return e
				}
			}
			if total == nil {
				total = per
				return nil
			}
			total, e = G.Add(total, per)
			return e
		}); err != nil {
			return nil, fmt.Errorf("output %d: %w", i+1, err)
		}
	}
	return total, nil
}

// Residuals are the parts' residuals side by side, part k's scaled by
// √weightₖ; every part must have a residual form.
func (l *PerOutputLoss) Residuals(b *graph.Builder, pred, target *G.Node) (*G.Node, error) {
	preds, targets, err := l.split(b, pred, target)
	if err != nil {
		return nil, err
	}
	var rs []*G.Node
	for i, p := range l.parts {
		rl, ok := p.Loss.(losses.Residual)
		if !ok {
			return nil, fmt.Errorf("output %d: the loss %s has no residual (least-squares) form", i+1, p.Loss.Name())
		}
		r, err := rl.Residuals(b, preds[i], targets[i])
		if err != nil {
			return nil, fmt.Errorf("output %d: %w", i+1, err)
		}
		if p.Weight != 1 {
			if err := graphrt.Catch(func() error {
				var e error
				r, e = G.HadamardProd(r, G.NewConstant(math.Sqrt(p.Weight)))
				return e
			}); err != nil {
				return nil, err
			}
		}
		rs = append(rs, r)
	}
	if len(rs) == 1 {
		return rs[0], nil
	}
	return graph.ConcatColumns(rs...)
}

// hasResiduals reports whether every part has a least-squares form.
func (l *PerOutputLoss) hasResiduals() bool {
	for _, p := range l.parts {
		if _, ok := p.Loss.(losses.Residual); !ok {
			return false
		}
	}
	return true
}
