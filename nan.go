package golem

import "math"

// TerminateOnNaN stops training gracefully (History.Stop = StopNaN, no
// error) as soon as a step's loss or gradient is NaN or infinite, keeping
// the weights from before that step. Without it, such a step makes Fit
// return an error wrapping optim.ErrNotFinite (with the same weights and
// History.Stop).
func TerminateOnNaN() Callback { return terminateOnNaN{} }

type terminateOnNaN struct{ BaseCallback }

func (terminateOnNaN) OnBatchEnd(s *State) error {
	if s.StepErr != nil || math.IsNaN(s.Step.Loss) || math.IsInf(s.Step.Loss, 0) {
		s.StopTraining(StopNaN)
	}
	return nil
}
