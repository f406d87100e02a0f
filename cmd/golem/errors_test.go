package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrors checks the exit status and the message of bad calls and bad
// files: usage errors exit 2, failures 1, and a bad CSV value is named by
// file, line and column.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n6,12\n7,14\n8,16\n")
	notNumber := write("data.csv", "x1,x2,x3,y\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,abc,4\n")
	empty := write("empty.csv", "")
	blank := write("blank.csv", "\n  \n")
	headerOnly := write("header.csv", "x,y\n")
	ragged := write("ragged.csv", "x,y\n1,2\n3\n")
	nan := write("nan.csv", "x,y\n1,2\n3,NaN\n")
	inf := write("inf.csv", "x,y\n1,2\n3,1e999\n")
	missing := write("missing.csv", "x,y\n1,\n")
	numHeader := write("numheader.csv", "1,2\n3,4\n")
	dupHeader := write("dup.csv", "x,x\n1,2\n")
	quote := write("quote.csv", "x,y\n1,\"2\n")
	other := write("other.csv", "a,b\n1,2\n")
	model := "testdata/model/sine.golem"
	noSidecar := filepath.Join(dir, "nosidecar.golem")
	if b, err := os.ReadFile(model); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(noSidecar, b, 0o644); err != nil {
		t.Fatal(err)
	}
	notModel := write("not.golem", "hello\n")
	corrupt := filepath.Join(dir, "corrupt.golem")
	if b, err := os.ReadFile(model); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(corrupt, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		args []string
		code int
		want string // in stderr
	}{
		{nil, 2, "usage: golem <command>"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"fit", good}, 2, "--target is required"},
		{[]string{"fit", "--target", "y"}, 2, "missing the CSV file"},
		{[]string{"fit", good, good, "--target", "y"}, 2, "unexpected argument"},
		{[]string{"fit", good, "--target", "y", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"fit", good, "--target", "y", "--hidden", "ten"}, 2, `invalid value "ten" for flag -hidden`},
		{[]string{"fit", good, "--target", "y", "--hidden", "0"}, 2, "--hidden is 0"},
		{[]string{"fit", good, "--target", "y", "--optimizer", "sgd"}, 2, `--optimizer "sgd": use lm, br or adam`},
		{[]string{"fit", good, "--target", "y", "--division", "70/30"}, 2, "give three shares"},
		{[]string{"fit", good, "--target", "y", "--division", "0/50/50"}, 2, "the training share must be positive"},
		{[]string{"fit", good, "--target", "y", "--division", "70/x/15"}, 2, `"x" is not a share`},
		{[]string{"fit", good, "--target", "z"}, 1, `no column "z" (the columns are "x", "y")`},
		{[]string{"fit", good, "--target", "y", "--inputs", "x,w"}, 1, `no column "w"`},
		{[]string{"fit", good, "--target", "y", "--inputs", "y"}, 2, `column "y" is both an input and a target`},
		{[]string{"fit", good, "--target", "x,y"}, 1, "no input columns"},
		{[]string{"fit", good, "--target", "y", "--inputs", "x,x"}, 2, `column "x" is listed twice`},
		{[]string{"fit", notNumber, "--target", "y"}, 1, `data.csv:17: column "x3": "abc" is not a number`},
		{[]string{"fit", empty, "--target", "y"}, 1, "empty.csv: the file is empty"},
		{[]string{"fit", blank, "--target", "y"}, 1, "blank.csv: the file is empty"},
		{[]string{"fit", headerOnly, "--target", "y"}, 1, "header.csv: no data rows after the header"},
		{[]string{"fit", ragged, "--target", "y"}, 1, "ragged.csv:3: 1 fields, but the header has 2 columns"},
		{[]string{"fit", nan, "--target", "y"}, 1, `nan.csv:3: column "y": NaN: missing values (NaN) are not allowed`},
		{[]string{"fit", inf, "--target", "y"}, 1, `inf.csv:3: column "y": 1e999 is not a finite number`},
		{[]string{"fit", missing, "--target", "y"}, 1, `missing.csv:2: column "y": the value is missing`},
		{[]string{"fit", numHeader, "--target", "y"}, 1, "numheader.csv:1: the first row must name the columns"},
		{[]string{"fit", dupHeader, "--target", "y"}, 1, `dup.csv:1: columns 1 and 2 are both named "x"`},
		{[]string{"fit", quote, "--target", "y"}, 1, "quote.csv:2:"},
		{[]string{"fit", filepath.Join(dir, "nope.csv"), "--target", "y"}, 1, "no such file"},
		{[]string{"fit", good, "--target", "y", "--division", "98/1/1"}, 1, "too few for the division"},

		{[]string{"curvefit", good, "--start", "a=1"}, 2, "--expr is required"},
		{[]string{"curvefit", good, "--expr", "a*x"}, 2, "--start is required"},
		{[]string{"curvefit", good, "--expr", "a*x+b", "--start", "a=1"}, 2, "--start gives no start for b (the formula's parameters: a, b)"},
		{[]string{"curvefit", good, "--expr", "a*x", "--start", "a=1,c=2"}, 2, "--start names c, which is not a parameter"},
		{[]string{"curvefit", good, "--expr", "a*x", "--start", "a=one"}, 2, `the start of a, "one", is not a finite number`},
		{[]string{"curvefit", good, "--expr", "a*x", "--start", "a"}, 2, `"a" is not name=value`},
		{[]string{"curvefit", good, "--expr", "a*expo(x)", "--start", "a=1"}, 1, `column 3: unknown function "expo"`},
		{[]string{"curvefit", good, "--expr", "a*x", "--start", "a=1", "--y", "w"}, 1, `no column "w"`},
		{[]string{"curvefit", good, "--expr", "a*x", "--start", "a=1", "--x", "y"}, 2, `column "y" is both an input`},
		{[]string{"curvefit", good, "--expr", "a*x", "--start", "a=1", "--level", "95"}, 2, "--level is 95"},

		{[]string{"predict", model}, 2, "missing the CSV file"},
		{[]string{"predict", model, other}, 1, `other.csv: no column "x" (the columns are "a", "b"): the model takes the inputs "x"`},
		{[]string{"predict", noSidecar, good}, 1, "nosidecar.golem.json: not found: it holds the column names"},
		{[]string{"predict", notModel, good}, 1, "not.golem: not a golem model file"},
		{[]string{"predict", corrupt, good}, 1, "corrupt.golem:"},
		{[]string{"predict", model, notNumber}, 1, `data.csv:17: column "x3": "abc" is not a number`},

		{[]string{"export", model}, 2, "choose the output format: --go"},
		{[]string{"export", "--go"}, 2, "missing the model file"},
		{[]string{"export", model, "--go", "--func", "func"}, 2, `--func "func" is not a Go identifier`},
		{[]string{"export", model, "--go", "--package", "my-pkg"}, 2, `--package "my-pkg" is not a Go package name`},
		{[]string{"export", notModel, "--go"}, 1, "not a golem model file"},
	} {
		stdout, stderr, code := runCLI(t, "", c.args...)
		name := "golem " + strings.Join(c.args, " ")
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", name, code, c.code, stderr)
		}
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%s: stderr\n%s\nwant it to contain %q", name, stderr, c.want)
		}
		if c.code == 2 && len(c.args) > 0 && c.args[0] != "frobnicate" && c.args[0] != "help" && !strings.Contains(stderr, "usage: golem "+c.args[0]) {
			t.Errorf("%s: a usage error should print the command's usage:\n%s", name, stderr)
		}
		if c.code != 0 && stdout != "" && c.args != nil && c.args[0] == "predict" {
			t.Errorf("%s: failed, yet wrote to standard output:\n%s", name, stdout)
		}
	}
}

// A CSV error in the middle of a table names the line even after quoted
// fields that span lines.
func TestCSVLineAfterMultilineField(t *testing.T) {
	_, err := parseTable("q.csv", []byte("x,\"y\nz\"\n1,2\n1,oops\n"))
	if err == nil || err.Error() != `q.csv:4: column "y\nz": "oops" is not a number` {
		t.Errorf("got %v", err)
	}
}

// The header's spaces and a byte order mark are not part of the names;
// blank lines are skipped.
func TestCSVTrims(t *testing.T) {
	tab, err := parseTable("t.csv", []byte("\xef\xbb\xbf x , y \n 1 , 2 \n\n3,4\n"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.columns, "|") != "x|y" || len(tab.rows) != 2 || tab.rows[1][1] != 4 || tab.lines[1] != 4 {
		t.Errorf("columns %q, rows %v, lines %v", tab.columns, tab.rows, tab.lines)
	}
}
