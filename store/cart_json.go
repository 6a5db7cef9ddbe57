package store

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/ponte-pagopa/ponte/gateway"
)

// payerJSON fixes the keys of a payer stored as JSON text (the cart's and
// each payment item's), so renaming a Go field cannot orphan stored data.
type payerJSON struct {
	Type     string `json:"tipo,omitempty"`
	ID       string `json:"codice,omitempty"`
	Name     string `json:"anagrafica,omitempty"`
	Address  string `json:"indirizzo,omitempty"`
	Civic    string `json:"civico,omitempty"`
	CAP      string `json:"cap,omitempty"`
	Locality string `json:"localita,omitempty"`
	Province string `json:"provincia,omitempty"`
	Nation   string `json:"nazione,omitempty"`
	Email    string `json:"email,omitempty"`
}

func encodePayer(p *gateway.Payer) (any, error) {
	if p == nil {
		return nil, nil
	}
	out, err := json.Marshal(payerJSON(*p))
	return string(out), err
}

func decodePayer(s sql.NullString) (*gateway.Payer, error) {
	if !s.Valid {
		return nil, nil
	}
	var j payerJSON
	if err := json.Unmarshal([]byte(s.String), &j); err != nil {
		return nil, fmt.Errorf("store: stored payer: %w", err)
	}
	p := gateway.Payer(j)
	return &p, nil
}
