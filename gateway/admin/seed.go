// Package admin manages the ente registry for operators: the declarative
// seed file applied at start, the demo data, and the CLI's primitives.
package admin

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
)

// Seed is the declarative registry file: the enti it lists are created or
// brought in line with it; enti it does not list are left alone.
type Seed struct {
	Enti []EnteSeed `yaml:"enti"`
}

// EnteSeed describes one ente in the seed file.
type EnteSeed struct {
	CodIpa           string `yaml:"codIpa"`
	CodiceFiscale    string `yaml:"codiceFiscale"`
	Denominazione    string `yaml:"denominazione"`
	Stato            string `yaml:"stato"` // default ESERCIZIO
	Password         string `yaml:"password"`
	PasswordHash     string `yaml:"passwordHash"` // argon2id or bcrypt; wins over password
	IBAN             string `yaml:"iban"`
	IBANPostale      string `yaml:"ibanPostale"`
	ContoPostale     string `yaml:"contoPostale"`
	AuxDigit         *int   `yaml:"auxDigit"` // default 3
	ApplicationCode  string `yaml:"applicationCode"`
	SegregationCode  string `yaml:"segregationCode"`
	Intermediario    string `yaml:"intermediario"`
	Stazione         string `yaml:"stazione"`
	PasswordStazione string `yaml:"passwordStazione"`
	// VersioneStazione is the station's model: 1 RPT/RT (default), 2
	// modello unico.
	VersioneStazione int    `yaml:"versioneStazione"`
	RedirectURL      string `yaml:"urlRispostaPagamento"`
	// PushURL receives the outcome of each paid dovuto (MyPay's
	// inoltro esito pagamento push).
	PushURL string `yaml:"urlInoltroEsito"`
	// PushJWT signs the push, as MyPay's optional JWT (HS512).
	PushJWT    *PushJWTSeed `yaml:"inoltroEsitoJwt"`
	TipiDovuto []TipoSeed   `yaml:"tipiDovuto"`
}

// PushJWTSeed is MyPay's JWT setting of the outcome push.
type PushJWTSeed struct {
	KeyID      string `yaml:"kid"`
	ClientID   string `yaml:"clientId"`   // iss
	ClientMail string `yaml:"clientMail"` // sub
	Secret     string `yaml:"secret"`     // base64 key
}

// TipoSeed describes one tipo dovuto of an ente.
type TipoSeed struct {
	Codice               string `yaml:"codice"`
	Descrizione          string `yaml:"descrizione"`
	Attivo               *bool  `yaml:"attivo"` // default true
	CFAnonimo            bool   `yaml:"cfAnonimo"`
	ScadenzaObbligatoria bool   `yaml:"scadenzaObbligatoria"`
	ImportoFisso         string `yaml:"importoFisso"` // "12.50"; empty: any
	CodiceTassonomico    string `yaml:"codiceTassonomico"`
}

// ParseSeed reads a YAML seed, refusing unknown keys so typos surface.
func ParseSeed(r io.Reader) (*Seed, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var s Seed
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := Validate(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks every ente of s, naming the first one at fault.
func Validate(s *Seed) error {
	seen := map[string]bool{}
	for i := range s.Enti {
		if err := s.Enti[i].validate(); err != nil {
			return fmt.Errorf("seed: ente %d (%s): %w", i+1, s.Enti[i].CodIpa, err)
		}
		if seen[s.Enti[i].CodIpa] {
			return fmt.Errorf("seed: ente %s listed twice", s.Enti[i].CodIpa)
		}
		seen[s.Enti[i].CodIpa] = true
	}
	return nil
}

// LoadSeedFile reads a seed from path.
func LoadSeedFile(path string) (*Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseSeed(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

var (
	reCodIpa  = regexp.MustCompile(`^[A-Za-z0-9_]{1,35}$`)
	reDigits2 = regexp.MustCompile(`^[0-9]{2}$`)
	reCF11    = regexp.MustCompile(`^[0-9]{11}$`)
)

func (e *EnteSeed) validate() error {
	switch {
	case !reCodIpa.MatchString(e.CodIpa):
		return fmt.Errorf("codIpa %q: 1 to 35 letters, digits or _", e.CodIpa)
	case !reCF11.MatchString(e.CodiceFiscale):
		return fmt.Errorf("codiceFiscale %q: 11 digits", e.CodiceFiscale)
	case e.Denominazione == "":
		return errors.New("denominazione is required")
	case e.Stato != "" && !gateway.EnteState(e.Stato).Valid():
		return fmt.Errorf("stato %q: one of INSERITO, PRE-ESERCIZIO, ESERCIZIO", e.Stato)
	case e.SegregationCode != "" && !reDigits2.MatchString(e.SegregationCode):
		return fmt.Errorf("segregationCode %q: 2 digits", e.SegregationCode)
	case e.ApplicationCode != "" && !reDigits2.MatchString(e.ApplicationCode):
		return fmt.Errorf("applicationCode %q: 2 digits", e.ApplicationCode)
	case e.AuxDigit != nil && *e.AuxDigit != 0 && *e.AuxDigit != 3:
		return fmt.Errorf("auxDigit %d: 0 or 3", *e.AuxDigit)
	}
	seen := map[string]bool{}
	for _, t := range e.TipiDovuto {
		if t.Codice == "" || len(t.Codice) > 64 {
			return fmt.Errorf("tipo dovuto %q: code of 1 to 64 characters", t.Codice)
		}
		if seen[t.Codice] {
			return fmt.Errorf("tipo dovuto %q listed twice", t.Codice)
		}
		seen[t.Codice] = true
		if t.ImportoFisso != "" {
			if _, err := gateway.ParseAmount(t.ImportoFisso); err != nil {
				return fmt.Errorf("tipo dovuto %s importoFisso %q: %v", t.Codice, t.ImportoFisso, err)
			}
		}
	}
	return nil
}

// Apply brings the store in line with the seed: each listed ente is created
// or updated, and its listed tipi dovuto are upserted. A plain password is
// re-hashed only when the stored hash does not already match it.
func Apply(ctx context.Context, st gateway.EnteStore, s *Seed) error {
	for i := range s.Enti {
		if err := applyEnte(ctx, st, &s.Enti[i]); err != nil {
			return fmt.Errorf("seed ente %s: %w", s.Enti[i].CodIpa, err)
		}
	}
	return nil
}

func applyEnte(ctx context.Context, st gateway.EnteStore, es *EnteSeed) error {
	e, err := st.FindEnte(ctx, es.CodIpa)
	isNew := errors.Is(err, gateway.ErrNotFound)
	if err != nil && !isNew {
		return err
	}
	if isNew {
		e = &gateway.Ente{CodIpa: es.CodIpa}
	}
	e.CodiceFiscale = es.CodiceFiscale
	e.Denominazione = es.Denominazione
	e.State = gateway.EnteEsercizio
	if es.Stato != "" {
		e.State = gateway.EnteState(es.Stato)
	}
	e.IBAN, e.IBANPostale, e.ContoPostale = es.IBAN, es.IBANPostale, es.ContoPostale
	e.AuxDigit = 3
	if es.AuxDigit != nil {
		e.AuxDigit = *es.AuxDigit
	}
	e.SegregationCode = es.SegregationCode
	e.ApplicationCode = es.ApplicationCode
	if e.ApplicationCode == "" {
		e.ApplicationCode = e.SegregationCode
	}
	e.IntermediaryID, e.StationID, e.StationPassword = es.Intermediario, es.Stazione, es.PasswordStazione
	e.RedirectURL, e.PushURL = es.RedirectURL, es.PushURL
	e.PushJWT = gateway.PushJWT{}
	if j := es.PushJWT; j != nil {
		if _, err := base64.StdEncoding.DecodeString(j.Secret); err != nil || j.Secret == "" {
			return fmt.Errorf("ente %s: inoltroEsitoJwt.secret must be base64", es.CodIpa)
		}
		e.PushJWT = gateway.PushJWT{KeyID: j.KeyID, Issuer: j.ClientID, Subject: j.ClientMail, Secret: j.Secret}
	}
	switch es.VersioneStazione {
	case 0, gateway.StationLegacy:
		e.StationVersion = gateway.StationLegacy
	case gateway.StationUnico:
		e.StationVersion = gateway.StationUnico
	default:
		return fmt.Errorf("ente %s: versioneStazione %d: 1 (RPT/RT) or 2 (modello unico)", es.CodIpa, es.VersioneStazione)
	}
	switch {
	case es.PasswordHash != "":
		e.PasswordHash = es.PasswordHash
	case es.Password != "":
		if ok, _ := auth.Verify(e.PasswordHash, es.Password); !ok || e.PasswordHash == "" {
			h, err := auth.Hash(es.Password)
			if err != nil {
				return err
			}
			e.PasswordHash = h
		}
	}
	if isNew {
		err = st.CreateEnte(ctx, e)
	} else {
		err = st.UpdateEnte(ctx, e)
	}
	if err != nil {
		return err
	}
	for _, ts := range es.TipiDovuto {
		if err := AddTipo(ctx, st, e, ts); err != nil {
			return err
		}
	}
	return nil
}

// AddTipo creates or updates one tipo dovuto of e.
func AddTipo(ctx context.Context, st gateway.EnteStore, e *gateway.Ente, ts TipoSeed) error {
	if ts.Codice == "" || len(ts.Codice) > 64 {
		return fmt.Errorf("tipo dovuto %q: code of 1 to 64 characters", ts.Codice)
	}
	t := &gateway.TipoDovuto{
		EnteID:           e.ID,
		Code:             ts.Codice,
		Description:      ts.Descrizione,
		Enabled:          ts.Attivo == nil || *ts.Attivo,
		AllowAnonymousCF: ts.CFAnonimo,
		DueDateMandatory: ts.ScadenzaObbligatoria,
		TaxonomyCode:     ts.CodiceTassonomico,
	}
	if ts.ImportoFisso != "" {
		a, err := gateway.ParseAmount(ts.ImportoFisso)
		if err != nil || a <= 0 {
			return fmt.Errorf("tipo dovuto %s importoFisso %q: a positive amount such as 16.00", ts.Codice, ts.ImportoFisso)
		}
		t.FixedAmount = a
	}
	if err := st.UpsertTipoDovuto(ctx, t); err != nil {
		return fmt.Errorf("tipo dovuto %s: %w", ts.Codice, err)
	}
	return nil
}

// DemoSeed is the data `ponte serve --demo` loads: ENTE_DEMO (station on
// the RPT/RT model) and ENTE_DEMO_MU (station on the modello unico), both
// with the password demopass123 and tipi dovuto TARI and MENSA.
const DemoSeed = `enti:
  - codIpa: ENTE_DEMO
    codiceFiscale: "12345678903"
    denominazione: Comune di Ponte Demo
    stato: ESERCIZIO
    password: demopass123
    iban: IT60X0542811101000000123456
    auxDigit: 3
    applicationCode: "01"
    segregationCode: "01"
    intermediario: "12345678903"
    stazione: "12345678903_01"
    passwordStazione: demostation1
    tipiDovuto:
      - codice: TARI
        descrizione: Tassa sui rifiuti
        codiceTassonomico: 0101100IM
      - codice: MENSA
        descrizione: Refezione scolastica
        codiceTassonomico: 0201102IM
  - codIpa: ENTE_DEMO_MU
    codiceFiscale: "01234567897"
    denominazione: Comune di Ponte Demo MU
    stato: ESERCIZIO
    password: demopass123
    iban: IT60X0542811101000000123456
    auxDigit: 3
    applicationCode: "01"
    segregationCode: "01"
    intermediario: "12345678903"
    stazione: "12345678903_02"
    passwordStazione: demostation1
    versioneStazione: 2
    tipiDovuto:
      - codice: TARI
        descrizione: Tassa sui rifiuti
        codiceTassonomico: 0101100IM
      - codice: MENSA
        descrizione: Refezione scolastica
        codiceTassonomico: 0201102IM
`

// ApplyDemo loads DemoSeed.
func ApplyDemo(ctx context.Context, st gateway.EnteStore) error {
	s, err := ParseSeed(strings.NewReader(DemoSeed))
	if err != nil {
		return err
	}
	return Apply(ctx, st, s)
}
