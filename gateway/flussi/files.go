package flussi

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files is the directory tree of flussi, MyPay's mybox: uploads, result
// files and exports, under Root, laid out per ente as MyPay does. Paths
// kept in the store are relative to Root, so processes sharing a store
// must share Root (a common volume).
type Files struct{ Root string }

// ImportUpload is where an uploaded zip is kept: one directory per
// request token, so two uploads never meet.
func (Files) ImportUpload(codIpa, token, name string) string {
	return filepath.Join(codIpa, "IMPORT", token, name)
}

// ImportResults is the directory of a flusso's result files
// (IMPORT_ELABORATI/<yyyy_MM>/<name>).
func (Files) ImportResults(codIpa string, t time.Time, base string) string {
	return filepath.Join(codIpa, "IMPORT_ELABORATI", t.Format("2006_01"), base)
}

// ExportDir is the directory of the ente's exports of a month.
func (Files) ExportDir(codIpa string, t time.Time, scaduti bool) string {
	if scaduti {
		return filepath.Join(codIpa, "EXPORT_DOVUTI_SCADUTI", t.Format("2006-01"))
	}
	return filepath.Join(codIpa, "EXPORT", t.Format("2006_01"))
}

// Abs resolves a stored relative path, refusing any that leaves Root.
func (f Files) Abs(rel string) (string, error) {
	if rel == "" || filepath.IsAbs(rel) {
		return "", fmt.Errorf("flussi: bad path %q", rel)
	}
	clean := filepath.Clean(rel)
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("flussi: path %q leaves the data directory", rel)
	}
	return filepath.Join(f.Root, clean), nil
}

// Create opens a new file at rel through a temporary name; Commit makes
// it appear whole (fsync and rename), Abort removes it. A crash leaves at
// most a temporary file behind.
func (f Files) Create(rel string) (*PendingFile, error) {
	abs, err := f.Abs(rel)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &PendingFile{File: tmp, final: abs}, nil
}

// PendingFile is a file being written by Create.
type PendingFile struct {
	*os.File
	final string
	done  bool
}

// Commit syncs, closes and renames the file to its final name.
func (p *PendingFile) Commit() error {
	if p.done {
		return errors.New("flussi: file already committed or aborted")
	}
	p.done = true
	err := p.File.Sync()
	if cerr := p.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.File.Name(), p.final)
	}
	if err != nil {
		_ = os.Remove(p.File.Name())
	}
	return err
}

// Abort closes and removes the file; harmless after Commit.
func (p *PendingFile) Abort() {
	if p.done {
		return
	}
	p.done = true
	_ = p.File.Close()
	_ = os.Remove(p.File.Name())
}

// ErrTooLarge is CopySum's answer to content over its limit.
var ErrTooLarge = errors.New("flussi: file oltre la dimensione massima")

// CopySum copies src to dst, at most max bytes, and returns the size and
// the hex MD5 kept with an uploaded flusso.
func CopySum(dst io.Writer, src io.Reader, max int64) (int64, string, error) {
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(dst, h), io.LimitReader(src, max+1))
	if err != nil {
		return n, "", err
	}
	if n > max {
		return n, "", ErrTooLarge
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
