// Package xsdtest validates XML documents against XML schemas with xmllint,
// for tests that must prove a message is wire-correct.
package xsdtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// ErrNoXmllint is returned by Check when xmllint is not on PATH.
var ErrNoXmllint = errors.New("xsdtest: xmllint not found")

// Validate fails t with xmllint's message when doc is not valid against the
// schema at schemaPath. It skips the test when xmllint is missing.
func Validate(t testing.TB, schemaPath string, doc []byte) {
	t.Helper()
	err := Check(schemaPath, doc)
	if errors.Is(err, ErrNoXmllint) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(schemaPath), err)
	}
}

// Check validates doc against the schema at schemaPath and returns xmllint's
// diagnostics as the error when doc is invalid (or the schema does not load).
func Check(schemaPath string, doc []byte) error {
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		return ErrNoXmllint
	}
	dir, err := os.MkdirTemp("", "xsdtest")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "doc.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		return err
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "--noout", "--nonet", "--schema", schemaPath, file)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		// Drop the temp file name so messages are stable and readable.
		msg := strings.ReplaceAll(strings.TrimSpace(out.String()), file, "doc")
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// root is the repository root (this file lives in xsd/xsdtest).
func root() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("xsdtest: cannot locate source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Path returns the absolute path of one of Ponte's schema files, looked up by
// base name in xsd/ and then wsdl/ (where the SIL payload schema lives next to
// the WSDL that imports it). It panics on an unknown name: that is a test bug.
func Path(name string) string {
	for _, dir := range []string{"xsd", "wsdl"} {
		p := filepath.Join(root(), dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	panic("xsdtest: no schema file named " + name)
}

// RefPath returns the absolute path of a file under the shared reference
// tree (../shared/reference from the repository root), or "" when absent.
func RefPath(rel string) string {
	p := filepath.Join(root(), "..", "shared", "reference", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	return abs
}
