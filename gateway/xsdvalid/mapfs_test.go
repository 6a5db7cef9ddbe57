package xsdvalid

import (
	"io/fs"
	"testing/fstest"
)

// mapFS is an in-memory fs.FS of schema texts.
type mapFS map[string]string

func (m mapFS) Open(name string) (fs.File, error) {
	f := fstest.MapFS{}
	for k, v := range m {
		f[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return f.Open(name)
}
