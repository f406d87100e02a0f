package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sync"
)

// report copies everything lmbench prints on standard output into a file
// as well (DIR/lmbench.txt), so that -out works as in every other example:
// the table lands in the output directory beside the terminal.
type report struct {
	path   string
	file   *os.File
	stdout *os.File      // the real standard output
	pipe   *os.File      // what os.Stdout writes into meanwhile
	done   chan struct{} // closed when the copy has drained the pipe
	err    error         // the copy's first error
	once   sync.Once
	closed error
}

// startReport creates dir (if missing) and dir/lmbench.txt, and from now
// on tees os.Stdout into it until close.
func startReport(dir string) (*report, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lmbench: -out: %w", err)
	}
	path := filepath.Join(dir, "lmbench.txt")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("lmbench: -out: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lmbench: %w", err)
	}
	rep := &report{path: path, file: f, stdout: os.Stdout, pipe: w, done: make(chan struct{})}
	os.Stdout = w
	go func() {
		defer close(rep.done)
		_, rep.err = io.Copy(io.MultiWriter(rep.stdout, f), r)
		r.Close()
	}()
	// log.Fatal exits at once: drain the report before its message, so
	// the table so far reaches the terminal and the file first.
	log.SetOutput(drainFirst{rep})
	return rep, nil
}

// drainFirst is log's output while the report runs: it ends the report
// (see close) and then writes to standard error.
type drainFirst struct{ rep *report }

func (d drainFirst) Write(p []byte) (int, error) {
	d.rep.finish()
	return os.Stderr.Write(p)
}

// finish restores os.Stdout, waits for the copy and closes the file; it
// runs once, and later calls return the first one's error.
func (rep *report) finish() error {
	rep.once.Do(func() {
		os.Stdout = rep.stdout
		rep.pipe.Close()
		<-rep.done
		err := rep.file.Close()
		if rep.err != nil {
			err = rep.err
		}
		if err != nil {
			rep.closed = fmt.Errorf("lmbench: writing %s: %w", rep.path, err)
		}
	})
	return rep.closed
}

// close finishes the report and says where the table went.
func (rep *report) close() error {
	if err := rep.finish(); err != nil {
		return err
	}
	fmt.Printf("\nreport written to %s\n", rep.path)
	return nil
}
