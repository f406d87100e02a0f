package nist

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// dataDir holds the StRD files (a copy of shared/data/nist).
const dataDir = "testdata"

func TestLoadReadsEveryProblem(t *testing.T) {
	obs := regexp.MustCompile(`Number of Observations:\s+(\d+)`)
	for _, name := range Names {
		p, err := Load(dataDir, name)
		require.NoError(t, err, name)
		raw, err := os.ReadFile(dataDir + "/" + name + ".dat")
		require.NoError(t, err)
		m := obs.FindSubmatch(raw)
		require.NotNil(t, m, name)
		want, _ := strconv.Atoi(string(m[1]))
		n, _ := p.X.Dims()
		require.Equal(t, want, n, name)
		require.Len(t, p.Start[0], len(p.Certified), name)
		require.Len(t, p.Start[1], len(p.Certified), name)
		require.Greater(t, p.RSS, 0.0, name)
		_, err = Model(name, p.Start[0])
		require.NoError(t, err, name)
	}
}
