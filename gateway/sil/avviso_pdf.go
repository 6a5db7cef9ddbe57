package sil

import (
	"bytes"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/avvisi"
)

// avvisoZip renders the avviso of d and zips it as MyPay names it.
func avvisoZip(e *gateway.Ente, d *gateway.Dovuto, now time.Time) ([]byte, error) {
	a, err := avvisi.FromDovuto(e, d)
	if err != nil {
		return nil, err
	}
	var pdf, zipped bytes.Buffer
	if err := avvisi.Render(&pdf, a); err != nil {
		return nil, err
	}
	err = avvisi.Zip(&zipped, avvisi.ZipFile{Name: avvisi.FileName(e.CodiceFiscale, d.IUV), Data: pdf.Bytes(), Modified: now})
	return zipped.Bytes(), err
}
