package flussi

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxLineBytes caps one CSV line (without its terminator). The widest
// legitimate 1_4 row is about 7 KiB; a longer line is rejected on its own,
// so a broken file cannot make the reader buffer without bound.
const MaxLineBytes = 64 << 10

// Reasons of a RowError.
const (
	ReasonLineTooLong   = "Line too long"
	ReasonBadQuoting    = "Unbalanced quotes"
	ReasonInvalidUTF8   = "Invalid UTF-8"
	ReasonTooManyFields = "Too many columns"
	ReasonTooFewFields  = "Too few columns"
)

// RowError is a line the reader could not split. Reading may go on: the
// caller rejects the line (with CodeSintassiCSV and Reason) and calls Next
// again. Any other error from the Reader is an I/O failure.
type RowError struct {
	Line   int64
	Reason string
}

// Error is the Reason alone, fit for the row's de_rifiuto.
func (e *RowError) Error() string { return e.Reason }

// isRowError reports whether err is a *RowError: the line is rejected and
// reading goes on.
func isRowError(err error) bool {
	var re *RowError
	return errors.As(err, &re)
}

// Reader reads an import CSV line by line with MyPay's split: fields are
// separated by ';' except inside double quotes, a field's outer quotes are
// removed and \" becomes ". A trailing ';' gives a last empty field. Lines
// end with \n or \r\n; blank lines are skipped (their numbers still
// count). The first line is the header.
type Reader struct {
	br       *bufio.Reader
	line     int64
	header   string
	gotHead  bool
	headErr  error
	fields   []string
	overflow []byte
}

// NewReader reads r. The version only sizes the buffers: the column count
// is the Checker's business, so a wrong count is a row error there.
func NewReader(r io.Reader, v Version) *Reader {
	n := v.Columns()
	if n == 0 {
		n = maxColumns
	}
	return &Reader{
		br:     bufio.NewReaderSize(r, MaxLineBytes+2),
		fields: make([]string, 0, n+1),
	}
}

// Header returns the first line as read (without its terminator), for the
// result files. It is io.EOF for an empty input. Next reads it implicitly
// when Header was not called.
func (r *Reader) Header() (string, error) {
	if r.gotHead {
		return r.header, r.headErr
	}
	r.gotHead = true
	b, tooLong, err := r.readLine()
	if err != nil {
		r.headErr = err
		return "", err
	}
	r.line++
	r.header = string(b)
	if tooLong {
		r.headErr = &RowError{Line: r.line, Reason: ReasonLineTooLong}
	}
	return r.header, r.headErr
}

// Next returns the next non-blank data line: its 1-based number in the
// file (the header is line 1), the line as read and its fields. At the end
// it returns io.EOF. A line that cannot be split gives a *RowError with
// line and raw set (raw cut at MaxLineBytes for a long line) and no fields.
//
// raw and the fields are ordinary strings that may be kept; the fields
// slice itself is reused by the next call.
func (r *Reader) Next() (line int64, raw string, fields []string, err error) {
	if !r.gotHead {
		if _, err := r.Header(); err != nil && !isRowError(err) {
			return 0, "", nil, err
		}
	}
	for {
		b, tooLong, err := r.readLine()
		if err != nil {
			return 0, "", nil, err
		}
		r.line++
		if tooLong {
			return r.line, string(b), nil, &RowError{Line: r.line, Reason: ReasonLineTooLong}
		}
		if blank(b) {
			continue
		}
		raw = string(b)
		if !utf8.ValidString(raw) {
			return r.line, raw, nil, &RowError{Line: r.line, Reason: ReasonInvalidUTF8}
		}
		fields, ok := r.split(raw)
		if !ok {
			return r.line, raw, nil, &RowError{Line: r.line, Reason: ReasonBadQuoting}
		}
		return r.line, raw, fields, nil
	}
}

// readLine returns the next line without its terminator; tooLong when it
// exceeded MaxLineBytes (the rest of it is skipped and b holds the first
// MaxLineBytes bytes). The slice is valid until the next read.
func (r *Reader) readLine() (b []byte, tooLong bool, err error) {
	b, err = r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.overflow = append(r.overflow[:0], b[:MaxLineBytes]...)
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = r.br.ReadSlice('\n')
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, false, err
		}
		return r.overflow, true, nil
	}
	if err != nil {
		if !errors.Is(err, io.EOF) || len(b) == 0 {
			return nil, false, err
		}
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if len(b) > MaxLineBytes {
		return b[:MaxLineBytes], true, nil
	}
	return b, false, nil
}

// blank reports whether b holds nothing but spaces and tabs.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// split cuts s like MyPay's ;(?=(?:[^"]*"[^"]*")*[^"]*$): a ';' splits
// when an even number of quotes follows it. With an even total that is a
// ';' outside quotes, every quote (escaped or not) toggling; an odd total
// is refused.
func (r *Reader) split(s string) ([]string, bool) {
	fields := r.fields[:0]
	if strings.IndexByte(s, '"') < 0 {
		for {
			i := strings.IndexByte(s, ';')
			if i < 0 {
				break
			}
			fields = append(fields, s[:i])
			s = s[i+1:]
		}
		fields = append(fields, s)
		r.fields = fields
		return fields, true
	}
	if strings.Count(s, `"`)%2 != 0 {
		return nil, false
	}
	in := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			in = !in
		case ';':
			if !in {
				fields = append(fields, unquote(s[start:i]))
				start = i + 1
			}
		}
	}
	fields = append(fields, unquote(s[start:]))
	r.fields = fields
	return fields, true
}

// unquote removes a field's outer quotes and turns \" into ".
func unquote(f string) string {
	if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
		f = f[1 : len(f)-1]
	}
	if strings.Contains(f, `\"`) {
		f = strings.ReplaceAll(f, `\"`, `"`)
	}
	return f
}
