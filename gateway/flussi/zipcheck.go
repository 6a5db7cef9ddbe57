package flussi

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Limits bound what an uploaded zip may make Ponte do.
type Limits struct {
	// MaxUpload is the largest zip accepted (default 100 MiB; MyPay's is
	// 10 MB, and a drop-in must accept at least that).
	MaxUpload int64
	// MaxEntries is the most entries a zip may list (default 16).
	MaxEntries int
	// MaxCSV is the largest uncompressed CSV (default 2 GiB).
	MaxCSV int64
	// MaxRatio is the largest uncompressed/compressed ratio of the CSV
	// (default 200; real CSVs compress 5–20 times, zip bombs 1000).
	MaxRatio int64
}

func (l *Limits) defaults() {
	if l.MaxUpload <= 0 {
		l.MaxUpload = 100 << 20
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 16
	}
	if l.MaxCSV <= 0 {
		l.MaxCSV = 2 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 200
	}
}

// errZip is a flow-level refusal of a zip: Code becomes the import's stato.
type errZip struct{ Code, Reason string }

func (e *errZip) Error() string { return e.Code + ": " + e.Reason }

// FileName is an import zip's name split as MyPay does: exactly three
// '-'-separated parts.
type FileName struct {
	Base    string // the name without .zip
	CodIpa  string
	IUF     string
	Version string
}

// ParseFileName splits <codIPA>-<IUF>-<versione>.zip; ok is false when
// the name has not that shape (the version is not checked here).
func ParseFileName(name string) (FileName, bool) {
	base, isZip := strings.CutSuffix(name, ".zip")
	if !isZip || base == "" || strings.ContainsAny(base, `/\`) || strings.Contains(base, "..") {
		return FileName{Base: base}, false
	}
	parts := strings.Split(base, "-")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return FileName{Base: base}, false
	}
	return FileName{Base: base, CodIpa: parts[0], IUF: parts[1], Version: parts[2]}, true
}

// checkEntries applies MyPay's rule — every entry is named after the zip
// — and Ponte's limits, and returns the CSV entry. The checks read only
// the central directory: nothing is decompressed.
func checkEntries(zr *zip.Reader, base string, l Limits) (*zip.File, error) {
	if len(zr.File) > l.MaxEntries {
		return nil, &errZip{gateway.CodeImportNomeFileErr, fmt.Sprintf("lo zip contiene %d file (massimo %d)", len(zr.File), l.MaxEntries)}
	}
	var csv *zip.File
	for _, f := range zr.File {
		n := f.Name
		if strings.ContainsAny(n, `/\`) || strings.Contains(n, "..") || path.IsAbs(n) || n != path.Clean(n) {
			return nil, &errZip{gateway.CodeImportNomeFileErr, fmt.Sprintf("nome non ammesso nello zip: %q", n)}
		}
		if !strings.HasPrefix(n, base+".") {
			return nil, &errZip{gateway.CodeImportNomeFileErr, fmt.Sprintf("il file %q non ha il nome dello zip %q", n, base)}
		}
		if n == base+".csv" {
			csv = f
		}
	}
	if csv == nil {
		return nil, &errZip{gateway.CodeImportNoCSV, "lo zip non contiene " + base + ".csv"}
	}
	if csv.Method != zip.Store && csv.Method != zip.Deflate {
		return nil, &errZip{gateway.CodeImportErroreGenerico, "metodo di compressione non supportato"}
	}
	size, packed := int64(csv.UncompressedSize64), int64(csv.CompressedSize64)
	if csv.UncompressedSize64 > uint64(l.MaxCSV) {
		return nil, &errZip{gateway.CodeImportErroreGenerico, fmt.Sprintf("CSV di %d byte oltre il limite di %d", csv.UncompressedSize64, l.MaxCSV)}
	}
	if packed > 0 && size/packed > l.MaxRatio {
		return nil, &errZip{gateway.CodeImportErroreGenerico, fmt.Sprintf("rapporto di compressione %d oltre il limite di %d", size/packed, l.MaxRatio)}
	}
	return csv, nil
}

// errTooBig is returned by capReader past its limit.
var errTooBig = errors.New("flussi: CSV oltre la dimensione dichiarata o il limite")

// capReader fails instead of reading past n bytes: the sizes a zip
// declares are not to be trusted.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var one [1]byte
		if k, _ := c.r.Read(one[:]); k > 0 {
			return 0, errTooBig
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}
