package golem

import "math"

// TerminateOnNaN stops training gracefully (History.Stop = StopNaN) as soon
// as a batch's loss is NaN or infinite, keeping the weights from before
// that step. Without it, a non-finite gradient makes Fit return an error
// (with the same weights and History.Stop).
func TerminateOnNaN() Callback { return terminateOnNaN{} }

type terminateOnNaN struct{ BaseCallback }

func (terminateOnNaN) OnBatchEnd(s *State) error {
	if math.IsNaN(s.Step.Loss) || math.IsInf(s.Step.Loss, 0) {
		s.StopTraining(StopNaN)
	}
	return nil
}
