package flussi

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

type readResult struct {
	line   int64
	raw    string
	fields []string
	reason string // RowError reason, "" for none
}

func readAll(t *testing.T, in string) (string, []readResult) {
	t.Helper()
	r := NewReader(strings.NewReader(in), V1_4)
	h, err := r.Header()
	if err != nil && !isRowError(err) {
		t.Fatalf("header: %v", err)
	}
	var out []readResult
	for {
		line, raw, fields, err := r.Next()
		if errors.Is(err, io.EOF) {
			return h, out
		}
		res := readResult{line: line, raw: raw, fields: append([]string(nil), fields...)}
		var re *RowError
		switch {
		case errors.As(err, &re):
			if re.Line != line || re.Error() != re.Reason {
				t.Fatalf("RowError %+v on line %d", re, line)
			}
			res.reason = re.Reason
		case err != nil:
			t.Fatalf("line %d: %v", line, err)
		}
		out = append(out, res)
	}
}

func TestReader(t *testing.T) {
	long := strings.Repeat("x", MaxLineBytes+1)
	cases := []struct {
		name, in string
		want     []readResult
	}{
		{"plain", "h\na;b;c\n", []readResult{{2, "a;b;c", []string{"a", "b", "c"}, ""}}},
		{"no final newline", "h\na;b", []readResult{{2, "a;b", []string{"a", "b"}, ""}}},
		{"crlf", "h\r\na;b\r\nc\r\n", []readResult{{2, "a;b", []string{"a", "b"}, ""}, {3, "c", []string{"c"}, ""}}},
		{"blank lines keep numbering", "h\n\n  \t\na\n\r\nb\n", []readResult{{4, "a", []string{"a"}, ""}, {6, "b", []string{"b"}, ""}}},
		{"trailing separator", "h\na;b;\n", []readResult{{2, "a;b;", []string{"a", "b", ""}, ""}}},
		{"empty fields", "h\n;;\n", []readResult{{2, ";;", []string{"", "", ""}, ""}}},
		{"quoted", "h\n\"a\";\"b;c\";d\n", []readResult{{2, `"a";"b;c";d`, []string{"a", "b;c", "d"}, ""}}},
		{"escaped quote", "h\n\"say \\\"hi\\\"\";x\n", []readResult{{2, `"say \"hi\"";x`, []string{`say "hi"`, "x"}, ""}}},
		{"quote inside field", "h\nab\"c;d\"e;f\n", []readResult{{2, `ab"c;d"e;f`, []string{`ab"c;d"e`, "f"}, ""}}},
		{"empty quoted", "h\n\"\";x\n", []readResult{{2, `"";x`, []string{"", "x"}, ""}}},
		{"doubled quotes kept", "h\n\"a\"\"b\";x\n", []readResult{{2, `"a""b";x`, []string{`a""b`, "x"}, ""}}},
		{"odd quotes", "h\n\"a;b\nc\n", []readResult{{2, `"a;b`, nil, ReasonBadQuoting}, {3, "c", []string{"c"}, ""}}},
		{"non utf8", "h\na;\xff\nc\n", []readResult{{2, "a;\xff", nil, ReasonInvalidUTF8}, {3, "c", []string{"c"}, ""}}},
		{"utf8 accents", "h\nperché;città\n", []readResult{{2, "perché;città", []string{"perché", "città"}, ""}}},
		{"long line", "h\n" + long + "\nnext\n", []readResult{{2, long[:MaxLineBytes], nil, ReasonLineTooLong}, {3, "next", []string{"next"}, ""}}},
		{"long last line", "h\n" + long, []readResult{{2, long[:MaxLineBytes], nil, ReasonLineTooLong}}},
		{"long by the cr only", "h\n" + long[:MaxLineBytes] + "\r\nz\n", []readResult{{2, long[:MaxLineBytes], []string{long[:MaxLineBytes]}, ""}, {3, "z", []string{"z"}, ""}}},
		{"lone cr is data", "h\na\rb\n", []readResult{{2, "a\rb", []string{"a\rb"}, ""}}},
		{"header only", "h\n", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, got := readAll(t, c.in)
			if h != "h" {
				t.Errorf("header %q", h)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestReaderHeader(t *testing.T) {
	r := NewReader(strings.NewReader(""), V1_0)
	if _, err := r.Header(); !errors.Is(err, io.EOF) {
		t.Fatalf("empty input: %v", err)
	}
	if _, _, _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("Next after empty: %v", err)
	}
	// Next without Header skips the header all the same; Header still
	// answers afterwards.
	r = NewReader(strings.NewReader("\xef\xbb\xbfIUD;x\r\na\n"), V1_0)
	line, raw, _, err := r.Next()
	if err != nil || line != 2 || raw != "a" {
		t.Fatalf("Next = %d %q %v", line, raw, err)
	}
	if h, err := r.Header(); err != nil || h != "\xef\xbb\xbfIUD;x" {
		t.Fatalf("Header = %q %v", h, err)
	}
	// A header too long is a RowError; the data lines still read.
	r = NewReader(strings.NewReader(strings.Repeat("h", MaxLineBytes+5)+"\na\n"), V1_0)
	if _, err := r.Header(); !isRowError(err) {
		t.Fatalf("long header: %v", err)
	}
	if _, raw, _, err := r.Next(); err != nil || raw != "a" {
		t.Fatalf("after long header: %q %v", raw, err)
	}
}

// I/O failures are not row errors, and small reads change nothing.
func TestReaderIO(t *testing.T) {
	boom := errors.New("boom")
	r := NewReader(io.MultiReader(strings.NewReader("h\na\n"), iotest.ErrReader(boom)), V1_0)
	if _, _, _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := r.Next(); !errors.Is(err, boom) || isRowError(err) {
		t.Fatalf("got %v", err)
	}
	in := "h\n" + strings.Repeat("\"a;b\";c;d\r\n", 100)
	r = NewReader(iotest.OneByteReader(strings.NewReader(in)), V1_0)
	n := 0
	for {
		_, _, f, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || !reflect.DeepEqual(f, []string{"a;b", "c", "d"}) {
			t.Fatalf("row %d: %q %v", n, f, err)
		}
		n++
	}
	if n != 100 {
		t.Fatalf("%d rows", n)
	}
}

// FuzzReader: never panics; rows and their numbers are consistent with
// the input; fields rejoined give the line back when nothing was quoted.
func FuzzReader(f *testing.F) {
	f.Add([]byte("h\na;b;c\n"))
	f.Add([]byte("h\r\n\"a;b\";\"c\\\"d\"\r\n\n;;\n"))
	f.Add([]byte("h\n\"odd\n\xff;x\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in), V1_4)
		if _, err := r.Header(); err != nil && !isRowError(err) {
			if !errors.Is(err, io.EOF) || len(in) != 0 {
				t.Fatalf("header: %v", err)
			}
			return
		}
		lines := int64(bytes.Count(in, []byte("\n"))) + 1
		prev := int64(1)
		for {
			line, raw, fields, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil && !isRowError(err) {
				t.Fatalf("line %d: %v", line, err)
			}
			if line <= prev || line > lines {
				t.Fatalf("line %d after %d (of %d)", line, prev, lines)
			}
			prev = line
			if len(raw) > MaxLineBytes || strings.ContainsRune(raw, '\n') {
				t.Fatalf("raw %q", raw)
			}
			if err == nil && !strings.Contains(raw, `"`) && strings.Join(fields, ";") != raw {
				t.Fatalf("fields %q of %q", fields, raw)
			}
		}
	})
}

// typicalRow14 is a 1_4 line as enti produce them: single beneficiary,
// one quoted causale.
const typicalRow14 = `IUD-000123456;;F;RSSMRA80A01H501U;Mario Rossi;Via Roma 12;12;35100;Padova;PD;IT;mario.rossi@example.it;2026-12-31;123.45;;TARI;ALL;"Tassa rifiuti 2026; rata unica";9/0101100IM/;;false;false;;;;;;;;;;;;;I`

func BenchmarkReader(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("header\n")
	const rows = 20000
	for range rows {
		buf.WriteString(typicalRow14)
		buf.WriteString("\r\n")
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r := NewReader(bytes.NewReader(data), V1_4)
		n := 0
		for {
			_, _, f, err := r.Next()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				b.Fatal(err)
			}
			if len(f) != 35 {
				b.Fatalf("%d fields", len(f))
			}
			n++
		}
		if n != rows {
			b.Fatal(n)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
