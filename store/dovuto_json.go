package store

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
)

// The bilancio and the secondary beneficiary are stored as JSON text. These
// mirrors fix the key names, so renaming a Go field cannot orphan stored
// data.

type bilancioJSON struct {
	Capitoli []capitoloJSON `json:"capitoli"`
}

type capitoloJSON struct {
	Code         string             `json:"codCapitolo"`
	Office       string             `json:"codUfficio,omitempty"`
	Accertamenti []accertamentoJSON `json:"accertamenti,omitempty"`
}

type accertamentoJSON struct {
	Code   string `json:"codAccertamento,omitempty"`
	Amount int64  `json:"importoCents"`
}

type secondaryJSON struct {
	CodiceFiscale            string `json:"codiceFiscale"`
	Denominazione            string `json:"denominazione,omitempty"`
	IBAN                     string `json:"iban,omitempty"`
	Address                  string `json:"indirizzo,omitempty"`
	Civic                    string `json:"civico,omitempty"`
	CAP                      string `json:"cap,omitempty"`
	Locality                 string `json:"localita,omitempty"`
	Province                 string `json:"provincia,omitempty"`
	Nation                   string `json:"nazione,omitempty"`
	Causale                  string `json:"causale,omitempty"`
	DatiSpecificiRiscossione string `json:"datiSpecificiRiscossione,omitempty"`
	Amount                   int64  `json:"importoCents"`
}

func encodeBilancio(b *gateway.Bilancio) (any, error) {
	if b == nil {
		return nil, nil
	}
	j := bilancioJSON{Capitoli: make([]capitoloJSON, len(b.Capitoli))}
	for i, c := range b.Capitoli {
		jc := capitoloJSON{Code: c.Code, Office: c.Office}
		for _, a := range c.Accertamenti {
			jc.Accertamenti = append(jc.Accertamenti, accertamentoJSON{Code: a.Code, Amount: int64(a.Amount)})
		}
		j.Capitoli[i] = jc
	}
	out, err := json.Marshal(j)
	return string(out), err
}

func decodeBilancio(s sql.NullString) (*gateway.Bilancio, error) {
	if !s.Valid {
		return nil, nil
	}
	var j bilancioJSON
	if err := json.Unmarshal([]byte(s.String), &j); err != nil {
		return nil, fmt.Errorf("store: stored bilancio: %w", err)
	}
	b := &gateway.Bilancio{Capitoli: make([]gateway.Capitolo, len(j.Capitoli))}
	for i, c := range j.Capitoli {
		gc := gateway.Capitolo{Code: c.Code, Office: c.Office}
		for _, a := range c.Accertamenti {
			gc.Accertamenti = append(gc.Accertamenti, gateway.Accertamento{Code: a.Code, Amount: gateway.Cents(a.Amount)})
		}
		b.Capitoli[i] = gc
	}
	return b, nil
}

func encodeSecondary(s *gateway.SecondaryBeneficiary) (any, error) {
	if s == nil {
		return nil, nil
	}
	out, err := json.Marshal(secondaryJSON{
		CodiceFiscale: s.CodiceFiscale, Denominazione: s.Denominazione, IBAN: s.IBAN,
		Address: s.Address, Civic: s.Civic, CAP: s.CAP, Locality: s.Locality,
		Province: s.Province, Nation: s.Nation, Causale: s.Causale,
		DatiSpecificiRiscossione: s.DatiSpecificiRiscossione, Amount: int64(s.Amount),
	})
	return string(out), err
}

func decodeSecondary(s sql.NullString) (*gateway.SecondaryBeneficiary, error) {
	if !s.Valid {
		return nil, nil
	}
	var j secondaryJSON
	if err := json.Unmarshal([]byte(s.String), &j); err != nil {
		return nil, fmt.Errorf("store: stored secondary beneficiary: %w", err)
	}
	return &gateway.SecondaryBeneficiary{
		CodiceFiscale: j.CodiceFiscale, Denominazione: j.Denominazione, IBAN: j.IBAN,
		Address: j.Address, Civic: j.Civic, CAP: j.CAP, Locality: j.Locality,
		Province: j.Province, Nation: j.Nation, Causale: j.Causale,
		DatiSpecificiRiscossione: j.DatiSpecificiRiscossione, Amount: gateway.Cents(j.Amount),
	}, nil
}
