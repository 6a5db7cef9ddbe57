package avvisi

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
	"time"
)

func TestZip(t *testing.T) {
	if got := FileName(goldenCF, "01000000000000144"); got != "avviso_99999000013_01000000000000144.pdf" {
		t.Fatalf("FileName = %q", got)
	}
	mod := time.Date(2025, 5, 6, 7, 8, 10, 0, time.UTC)
	files := []ZipFile{
		{Name: FileName(goldenCF, "a"), Data: []byte("%PDF-1 one"), Modified: mod},
		{Name: FileName(goldenCF, "b"), Data: bytes.Repeat([]byte("two"), 1000)},
	}
	var buf bytes.Buffer
	if err := Zip(&buf, files...); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 {
		t.Fatalf("%d entries", len(zr.File))
	}
	for i, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name != files[i].Name || !bytes.Equal(data, files[i].Data) {
			t.Errorf("entry %d: %q %q", i, f.Name, data)
		}
	}
	if !zr.File[0].Modified.Equal(mod) {
		t.Errorf("modified = %v", zr.File[0].Modified)
	}
	if err := Zip(io.Discard, files[0], files[0]); err == nil {
		t.Error("duplicate names accepted")
	}
	if err := Zip(io.Discard, ZipFile{}); err == nil {
		t.Error("empty name accepted")
	}
}
