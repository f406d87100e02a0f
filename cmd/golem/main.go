package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
)

// Exit statuses: a usage error (bad flags or arguments) is 2, as the flag
// package and most Unix tools have it; any other failure is 1.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand runs with: its streams and context. Tests run
// subcommands in-process with buffers.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand: its flags, its usage text and what it does
// with its positional arguments.
type command struct {
	name    string
	summary string // one line for `golem help`
	usage   string // the synopsis and explanation, after "usage: "
	// flags declares the flags on fs and returns the function that runs the
	// command on the positional arguments once they are parsed.
	flags func(fs *flag.FlagSet) func(e *env, args []string) error
}

var commands = []*command{fitCommand, curvefitCommand, predictCommand, exportCommand}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is an error in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// run is the whole program: it dispatches to a subcommand and returns the
// exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, mainUsage())
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			fmt.Fprint(stdout, mainUsage())
			return exitOK
		}
		c := lookup(args[1])
		if c == nil {
			fmt.Fprintf(stderr, "golem help: unknown command %q\n\n%s", args[1], mainUsage())
			return exitUsage
		}
		fmt.Fprint(stdout, commandUsage(c))
		return exitOK
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "golem: unknown command %q\n\n%s", args[0], mainUsage())
		return exitUsage
	}
	fs := flag.NewFlagSet("golem "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed below
	fs.Usage = func() {}
	do := c.flags(fs)
	pos, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commandUsage(c))
		return exitOK
	}
	if err == nil {
		err = do(&env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr}, pos)
	}
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue) || isFlagError(err):
		fmt.Fprintf(stderr, "golem %s: %v\n\n%s", c.name, err, commandUsage(c))
		return exitUsage
	}
	fmt.Fprintf(stderr, "golem %s: %v\n", c.name, err)
	return exitFailure
}

// flagError marks an error of the flag package (an unknown flag, a bad
// value), which is a usage error.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func isFlagError(err error) bool {
	var fe *flagError
	return errors.As(err, &fe)
}

// parseInterspersed parses flags anywhere among the positional arguments
// (golem fit data.csv --target y as well as golem fit --target y data.csv):
// the flag package stops at the first positional argument, so parsing
// resumes after each one. "--" ends the flags; everything after it is
// positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &flagError{err}
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func mainUsage() string {
	var b strings.Builder
	b.WriteString("golem trains small neural networks and fits curves from CSV files.\n\n")
	b.WriteString("usage: golem <command> [arguments]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, c.name)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %-9s %s\n", n, lookup(n).summary)
	}
	b.WriteString("\nRun 'golem help <command>' (or 'golem <command> -h') for a command's flags.\n")
	return b.String()
}

// commandUsage is a command's usage text with its flags and defaults.
func commandUsage(c *command) string {
	fs := flag.NewFlagSet("golem "+c.name, flag.ContinueOnError)
	c.flags(fs)
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s\n", c.usage)
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	if flags.Len() > 0 {
		b.WriteString("\nflags:\n")
		b.WriteString(strings.ReplaceAll(flags.String(), "  -", "  --"))
	}
	return b.String()
}

// positional checks that a command got exactly the positional
// arguments it takes.
func positional(args []string, names ...string) error {
	if len(args) < len(names) {
		return usagef("missing %s", names[len(args)])
	}
	if len(args) > len(names) {
		return usagef("unexpected argument %q", args[len(names)])
	}
	return nil
}
