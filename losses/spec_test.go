package losses

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSpecRoundTrip: every loss of the package has a spec that fromSpec
// turns back into a loss with the same spec; a custom loss has none;
// unknown names and misplaced options are errors naming them.
func TestSpecRoundTrip(t *testing.T) {
	for _, l := range []Loss{MSE(), SSE(), MAE(), BinaryCrossEntropy(), BinaryCrossEntropy(SoftTargets()),
		CategoricalCrossEntropy(), CategoricalCrossEntropy(SoftTargets()), SparseCategoricalCrossEntropy()} {
		s, ok := specOf(l)
		require.True(t, ok, l.Name())
		assert.Equal(t, l.Name(), s.Name)
		back, err := fromSpec(s)
		require.NoError(t, err)
		s2, _ := specOf(back)
		assert.Equal(t, s, s2)
		assert.Equal(t, l.Reduction(), back.Reduction())
		_, residual := l.(Residual)
		_, backResidual := back.(Residual)
		assert.Equal(t, residual, backResidual, s.Name)
	}
	s, _ := specOf(BinaryCrossEntropy(SoftTargets()))
	assert.True(t, s.SoftTargets)

	type custom struct{ Loss }
	_, ok := specOf(custom{MSE()})
	assert.False(t, ok)
	_, err := fromSpec(spec{Name: "hinge"})
	assert.ErrorContains(t, err, `no loss is named "hinge" (known: mse, sse, mae,`)
	_, err = fromSpec(spec{Name: "mse", SoftTargets: true})
	assert.ErrorContains(t, err, "mse takes no SoftTargets option")

	for _, m := range []Metric{MAEMetric(), RMSE(), R2(), Accuracy(), MSE(), SSE(), MAE()} {
		name, ok := metricName(m)
		require.True(t, ok, m.Name())
		assert.Equal(t, m.Name(), name)
		back, err := metricFromName(name)
		require.NoError(t, err)
		assert.Equal(t, name, back.Name())
	}
	type customMetric struct{ Metric }
	_, ok = metricName(customMetric{RMSE()})
	assert.False(t, ok)
	_, err = metricFromName("f1")
	assert.ErrorContains(t, err, `no metric is named "f1"`)
}
