package golem

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// ModelCheckpointConfig configures ModelCheckpoint. Zero fields take the
// defaults.
type ModelCheckpointConfig struct {
	Monitor    string // the value watched (see State.Monitor); default "val_loss", or "loss" without validation data
	EveryEpoch bool   // save after every epoch; default false: only when the monitored value improves
}

// ModelCheckpoint saves the model's weights to path (in Save's format) when
// the monitored value improves. Each save writes a temporary file in the
// same directory, syncs it and renames it over path, so a crash or failed
// write mid-save leaves the previous checkpoint intact and loadable.
func ModelCheckpoint(path string, cfg ModelCheckpointConfig) Callback {
	return &modelCheckpoint{path: path, cfg: cfg, wrap: func(w io.Writer) io.Writer { return w }}
}

type modelCheckpoint struct {
	BaseCallback
	path    string
	cfg     ModelCheckpointConfig
	best    float64
	monitor string                    // cfg.Monitor, or this Fit's default
	wrap    func(io.Writer) io.Writer // tests inject a failing writer here
}

func (c *modelCheckpoint) OnTrainBegin(s *State) error {
	c.best, c.monitor = math.Inf(1), c.cfg.Monitor
	if c.monitor == "" {
		c.monitor = s.defaultMonitor()
	}
	return nil
}

func (c *modelCheckpoint) OnEpochEnd(s *State) error {
	v, ok := s.Monitor(c.monitor)
	if !ok {
		return fmt.Errorf("golem: ModelCheckpoint monitors %q, which this Fit does not record", c.monitor)
	}
	if !c.cfg.EveryEpoch && !(v < c.best) {
		return nil
	}
	c.best = math.Min(c.best, v)
	return c.save(s.Model)
}

// save writes atomically: temp file, sync, rename.
func (c *modelCheckpoint) save(m *Sequential) (err error) {
	dir := filepath.Dir(c.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(c.path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("golem: checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = m.Save(c.wrap(tmp)); err != nil {
		return fmt.Errorf("golem: checkpoint: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("golem: checkpoint: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("golem: checkpoint: %w", err)
	}
	if err = os.Rename(tmp.Name(), c.path); err != nil {
		return fmt.Errorf("golem: checkpoint: %w", err)
	}
	return nil
}
