package sim

import (
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// The demo registry: Ponte's demo ente (gateway/admin.DemoSeed).
const (
	DemoIntermediario = "12345678903"
	DemoStazione      = "12345678903_01"
	DemoPassword      = "demostation1"
	DemoDominio       = "12345678903"
	DemoIBAN          = "IT60X0542811101000000123456"
	// The demo ente on the modello unico: its station is called by the
	// node with paForNode at Ponte's PontePaForNodePath.
	DemoStazioneMU = "12345678903_02"
	DemoDominioMU  = "01234567897"
)

// Paths of Ponte the demo station points at.
const (
	PontePaPerNodoPath = "/ws/nodo/PaPerNodo"
	PonteRedirectPath  = "/public/landing/esitoPagamento"
	PontePaForNodePath = "/ws/nodo/paForNode"
)

// DemoRegistry is the registry matching Ponte's demo ente, whose station
// delivers RTs to ponteBaseURL + PontePaPerNodoPath and sends the browser
// back to ponteBaseURL + PonteRedirectPath. BaseURL is ponteBaseURL too, as
// when the simulator is embedded in `ponte serve --demo`; a separate
// process sets its own. The station has primitive version 2 with
// segregation and application code 01, so multi-beneficiary carts of the
// demo ente's notices pass the node's checks.
//
// A second dominio, DemoDominioMU ("Comune di Ponte Demo MU"), is on the
// modello unico: its station DemoStazioneMU (same intermediary and
// password, segregation code 01 as well: the codes only need to differ
// between stations of one dominio) is called with paForNode at
// ponteBaseURL + PontePaForNodePath.
func DemoRegistry(ponteBaseURL string) Config {
	base := strings.TrimSuffix(ponteBaseURL, "/")
	return Config{
		BaseURL:      base,
		Intermediari: []IntermediarioPA{{ID: DemoIntermediario}},
		Stazioni: []Stazione{{
			ID: DemoStazione, Intermediario: DemoIntermediario, Password: DemoPassword,
			PaPerNodoURL: base + PontePaPerNodoPath, RedirectURL: base + PonteRedirectPath,
			PrimitiveVersion: 2, SegregationCode: "01", ApplicationCode: "01",
		}, {
			ID: DemoStazioneMU, Intermediario: DemoIntermediario, Password: DemoPassword,
			PaForNodeURL: base + PontePaForNodePath, RedirectURL: base + PonteRedirectPath,
			PrimitiveVersion: 2, SegregationCode: "01", ApplicationCode: "01",
		}},
		Domini: []Dominio{
			{ID: DemoDominio, Name: "Comune di Ponte Demo", Stazioni: []string{DemoStazione}, IBANs: []string{DemoIBAN}},
			{ID: DemoDominioMU, Name: "Comune di Ponte Demo MU", Stazioni: []string{DemoStazioneMU}, IBANs: []string{DemoIBAN}},
		},
	}
}

// registryFile is the YAML form of a registry (LoadRegistry).
type registryFile struct {
	Intermediari []struct {
		ID           string `yaml:"id"`
		Disabilitato bool   `yaml:"disabilitato"`
	} `yaml:"intermediari"`
	Stazioni []struct {
		ID                string `yaml:"id"`
		Intermediario     string `yaml:"intermediario"`
		Password          string `yaml:"password"`
		PaPerNodoURL      string `yaml:"paPerNodoUrl"`
		PaForNodeURL      string `yaml:"paForNodeUrl"`
		RedirectURL       string `yaml:"redirectUrl"`
		VersionePrimitive int    `yaml:"versionePrimitive"`
		SegregationCode   string `yaml:"segregationCode"`
		ApplicationCode   string `yaml:"applicationCode"`
		Disabilitata      bool   `yaml:"disabilitata"`
	} `yaml:"stazioni"`
	Domini []struct {
		ID           string   `yaml:"id"`
		Nome         string   `yaml:"nome"`
		Stazioni     []string `yaml:"stazioni"`
		IBAN         []string `yaml:"iban"`
		Disabilitato bool     `yaml:"disabilitato"`
	} `yaml:"domini"`
	PSP []struct {
		ID            string   `yaml:"id"`
		Nome          string   `yaml:"nome"`
		Intermediario string   `yaml:"intermediario"`
		Canali        []string `yaml:"canali"`
		Disabilitato  bool     `yaml:"disabilitato"`
	} `yaml:"psp"`
}

// LoadRegistry reads a YAML registry; unknown keys are errors. The result
// is checked as New does; BaseURL and the limits are left to the caller.
//
//	intermediari:
//	  - id: "12345678903"
//	stazioni:
//	  - id: 12345678903_01
//	    intermediario: "12345678903"
//	    password: demostation1
//	    paPerNodoUrl: http://127.0.0.1:8080/ws/nodo/PaPerNodo
//	    redirectUrl: http://127.0.0.1:8080/public/landing/esitoPagamento
//	    versionePrimitive: 2        # optional; segregationCode, applicationCode too
//	    paForNodeUrl: http://…/ws/nodo/paForNode  # optional: modello unico
//	domini:
//	  - id: "12345678903"
//	    nome: Comune di Ponte Demo
//	    stazioni: [12345678903_01]
//	    iban: [IT60X0542811101000000123456]
//	psp: []                         # optional; default the WISP PSP
//
// Every entry may carry disabilitato (disabilitata for stations): true.
func LoadRegistry(r io.Reader) (Config, error) {
	var f registryFile
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return Config{}, fmt.Errorf("sim: registry: %w", err)
	}
	var c Config
	for _, i := range f.Intermediari {
		c.Intermediari = append(c.Intermediari, IntermediarioPA{ID: i.ID, Disabled: i.Disabilitato})
	}
	for _, s := range f.Stazioni {
		c.Stazioni = append(c.Stazioni, Stazione{ID: s.ID, Intermediario: s.Intermediario, Password: s.Password,
			PaPerNodoURL: s.PaPerNodoURL, PaForNodeURL: s.PaForNodeURL, RedirectURL: s.RedirectURL, PrimitiveVersion: s.VersionePrimitive,
			SegregationCode: s.SegregationCode, ApplicationCode: s.ApplicationCode, Disabled: s.Disabilitata})
	}
	for _, d := range f.Domini {
		c.Domini = append(c.Domini, Dominio{ID: d.ID, Name: d.Nome, Stazioni: d.Stazioni, IBANs: d.IBAN, Disabled: d.Disabilitato})
	}
	for _, p := range f.PSP {
		c.PSPs = append(c.PSPs, PSP{ID: p.ID, Name: p.Nome, Intermediario: p.Intermediario, Canali: p.Canali, Disabled: p.Disabilitato})
	}
	if err := checkRegistry(c); err != nil {
		return Config{}, err
	}
	return c, nil
}

// checkRegistry refuses what would make the node useless or ambiguous.
func checkRegistry(c Config) error {
	var errs []string
	seen := map[string]bool{}
	dup := func(kind, id string) {
		if id == "" {
			errs = append(errs, kind+" senza id")
		} else if seen[kind+id] {
			errs = append(errs, kind+" "+id+" ripetuto")
		}
		seen[kind+id] = true
	}
	for _, i := range c.Intermediari {
		dup("intermediario", i.ID)
	}
	for _, s := range c.Stazioni {
		dup("stazione", s.ID)
		if s.Password == "" {
			errs = append(errs, "stazione "+s.ID+" senza password")
		}
	}
	for _, d := range c.Domini {
		dup("dominio", d.ID)
	}
	for _, p := range c.PSPs {
		dup("psp", p.ID)
	}
	if len(errs) > 0 {
		return fmt.Errorf("sim: registry: %s", strings.Join(errs, "; "))
	}
	_, err := newRegistry(c)
	return err
}
