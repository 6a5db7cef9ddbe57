package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The committed packages must be exactly what the generator produces, so
// that `make generate` leaves no diff; running it twice must agree too.
func TestGeneratedUpToDateAndDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gowsdl")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	a, b := t.TempDir(), t.TempDir()
	if err := generateAll(root, a); err != nil {
		t.Fatal(err)
	}
	if err := generateAll(root, b); err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		file := filepath.Join(in.pkg, in.pkg+".go")
		first, err := os.ReadFile(filepath.Join(a, file))
		if err != nil {
			t.Fatal(err)
		}
		second, err := os.ReadFile(filepath.Join(b, file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%s: two runs differ", file)
		}
		committed, err := os.ReadFile(filepath.Join(root, "generated", file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, committed) {
			t.Errorf("generated/%s is stale: run go run ./generated/gen", file)
		}
	}
}

// Only types survive: no gowsdl runtime (soap client), nothing but
// encoding/xml and our wire package.
func TestGeneratedImports(t *testing.T) {
	allowed := map[string]bool{"encoding/xml": true, "github.com/ponte-pagopa/ponte/generated/wire": true}
	for _, in := range inputs {
		path := filepath.Join("..", in.pkg, in.pkg+".go")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if !ast.IsGenerated(f) {
			t.Errorf("%s: missing the Code generated header", path)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[p] {
				t.Errorf("%s imports %s", path, p)
			}
		}
	}
}
