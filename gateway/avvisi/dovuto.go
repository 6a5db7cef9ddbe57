package avvisi

import (
	"fmt"
	"strings"
	"time"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
)

// FromDovuto is the rata-unica avviso of an ente's dovuto: its amount
// (with a secondary beneficiary's share, which the same notice collects),
// due date, causale as oggetto, payer as destinatario; the Poste section
// when the ente has a postal account.
func FromDovuto(e *gateway.Ente, d *gateway.Dovuto) (*Avviso, error) {
	nav, err := iuv.NumeroAvviso(e.AuxDigit, e.ApplicationCode, d.IUV)
	if err != nil {
		return nil, fmt.Errorf("avvisi: dovuto %s: %w", d.IUD, err)
	}
	amount := d.Amount
	if d.Secondary != nil {
		amount += d.Secondary.Amount
	}
	r := Rata{NumeroAvviso: nav, Importo: amount}
	if d.DueDate != "" {
		t, err := time.ParseInLocation(gateway.DateLayout, d.DueDate, gateway.Rome)
		if err != nil {
			return nil, fmt.Errorf("avvisi: dovuto %s: due date %q: %w", d.IUD, d.DueDate, err)
		}
		r.Scadenza = t
	}
	a := &Avviso{
		Oggetto: d.Causale,
		Ente:    EnteInfo{CF: e.CodiceFiscale, Nome: e.Denominazione, ContoPostale: e.ContoPostale},
		Rate:    []Rata{r},
	}
	if a.Ente.Nome == "" {
		a.Ente.Nome = e.CodIpa
	}
	if p := d.Payer; p != nil {
		a.Destinatario = Destinatario{Nome: p.Name}
		if p.ID != "ANONIMO" {
			a.Destinatario.CF = p.ID
		}
		if street := strings.TrimSpace(p.Address + " " + p.Civic); street != "" {
			a.Destinatario.Indirizzo = append(a.Destinatario.Indirizzo, street)
		}
		if city := strings.TrimSpace(strings.Join([]string{p.CAP, p.Locality, provincia(p.Province)}, " ")); city != "" {
			a.Destinatario.Indirizzo = append(a.Destinatario.Indirizzo, city)
		}
	}
	if a.Destinatario.Nome == "" {
		a.Destinatario.Nome = "Destinatario non indicato"
	}
	return a, nil
}

func provincia(p string) string {
	if p == "" {
		return ""
	}
	return "(" + p + ")"
}
