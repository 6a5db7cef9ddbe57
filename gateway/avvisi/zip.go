package avvisi

import (
	"archive/zip"
	"fmt"
	"io"
	"time"
)

// ZipFile is one entry of a notices archive.
type ZipFile struct {
	Name     string
	Data     []byte
	Modified time.Time // entry time; zero leaves the DOS date unset
}

// FileName is the name MyPay gives a notice inside its zip.
func FileName(cfEnte, iuv string) string {
	return "avviso_" + cfEnte + "_" + iuv + ".pdf"
}

// Zip writes files as one deflated archive (for azione S base64ZipAvviso and
// the _AVVISI_PDF.zip of an import). Names must be non-empty and unique.
func Zip(w io.Writer, files ...ZipFile) error {
	zw := zip.NewWriter(w)
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if f.Name == "" {
			return fmt.Errorf("avvisi zip: file senza nome")
		}
		if seen[f.Name] {
			return fmt.Errorf("avvisi zip: nome %q duplicato", f.Name)
		}
		seen[f.Name] = true
		h := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified}
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return fmt.Errorf("avvisi zip: %s: %w", f.Name, err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return fmt.Errorf("avvisi zip: %s: %w", f.Name, err)
		}
	}
	return zw.Close()
}
