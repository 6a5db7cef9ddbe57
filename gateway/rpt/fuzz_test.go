package rpt

import (
	"errors"
	"os"
	"testing"
)

// The parsers must never panic, must fail only with *SchemaError or
// *InvalidError, and what they accept must build again. Seeds live in
// testdata/fuzz/<Name>; f.Add adds the golden documents.

func addGolden(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func checkParseErr(t *testing.T, err error) {
	var se *SchemaError
	var ie *InvalidError
	if err != nil && !errors.As(err, &se) && !errors.As(err, &ie) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

func FuzzParseRPT(f *testing.F) {
	addGolden(f, "rpt.golden.xml")
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRPT(b)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		out, err := Build(r)
		if err != nil {
			// Build adds the node's own rules (ibanAccredito, AD needs
			// ibanAddebito), which a schema-valid RPT may break.
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("accepted RPT does not build: %v\n%s", err, b)
			}
			return
		}
		if _, err := ParseRPT(out); err != nil {
			t.Fatalf("built RPT does not parse: %v\n%s", err, out)
		}
	})
}

func FuzzParseRT(f *testing.F) {
	addGolden(f, "rt.golden.xml")
	rpt := &Request{}
	f.Fuzz(func(t *testing.T, b []byte) {
		rt, err := ParseRT(b)
		checkParseErr(t, err)
		if err != nil {
			return
		}
		_ = Check(rpt, rt) // must not panic on any decoded RT
		out, err := EncodeRT(rt)
		if err != nil {
			t.Fatalf("accepted RT does not encode: %v\n%s", err, b)
		}
		if _, err := ParseRT(out); err != nil {
			t.Fatalf("encoded RT does not parse: %v\n%s", err, out)
		}
	})
}
