package rpt

import (
	"fmt"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
)

// Fault codes an ente answers paaInviaRT with when Check fails
// (pagopa-node.md §4.1, §6.2).
const (
	// CodeSemantica: the RT is valid but does not answer its RPT as the
	// rules require (details in faultBean.description).
	CodeSemantica = "PAA_SEMANTICA"
	// CodeRPTSconosciuta: the RT names a payment (dominio, IUV, CCP) other
	// than the RPT it was matched to, so its RPT is unknown; the node
	// answers the PSP-side twin of this case with PPT_RPT_SCONOSCIUTA.
	CodeRPTSconosciuta = "PAA_RPT_SCONOSCIUTA"
)

// Rule names one RT↔RPT consistency rule.
type Rule string

const (
	RuleDominio              Rule = "identificativoDominio"
	RuleIUV                  Rule = "identificativoUnivocoVersamento"
	RuleCCP                  Rule = "codiceContestoPagamento"
	RuleStazione             Rule = "identificativoStazioneRichiedente"
	RuleRiferimentoMessaggio Rule = "riferimentoMessaggioRichiesta"
	RuleRiferimentoData      Rule = "riferimentoDataRichiesta"
	RuleEnteBeneficiario     Rule = "enteBeneficiario"
	RulePagatore             Rule = "soggettoPagatore"
	RuleVersante             Rule = "soggettoVersante"
	RuleNumeroPagamenti      Rule = "datiSingoloPagamento"
	RuleImportoTotale        Rule = "importoTotalePagato"
	RuleImportoSingolo       Rule = "singoloImportoPagato"
	RuleEsitoSingolo         Rule = "esitoSingoloPagamento"
)

// Code is the PAA fault for a failure of r.
func (r Rule) Code() string {
	switch r {
	case RuleDominio, RuleIUV, RuleCCP:
		return CodeRPTSconosciuta
	}
	return CodeSemantica
}

// Violation is one failed rule.
type Violation struct {
	Rule Rule
	Msg  string
}

// CheckError lists every rule an RT failed, in the order Check tests them.
type CheckError struct {
	Violations []Violation
}

func (e *CheckError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = string(v.Rule) + ": " + v.Msg
	}
	return "RT does not match its RPT: " + strings.Join(parts, "; ")
}

// Code is the fault to answer: PAA_RPT_SCONOSCIUTA when the RT is about
// another payment, PAA_SEMANTICA otherwise.
func (e *CheckError) Code() string {
	for _, v := range e.Violations {
		if v.Rule.Code() == CodeRPTSconosciuta {
			return CodeRPTSconosciuta
		}
	}
	return CodeSemantica
}

// Has reports whether rule r failed.
func (e *CheckError) Has(r Rule) bool {
	for _, v := range e.Violations {
		if v.Rule == r {
			return true
		}
	}
	return false
}

// Check applies to rt the rules an ente applies to an RT against the RPT it
// answers (pagopa-node.md §7.3, §4.1) and returns a *CheckError naming every
// failed rule, or nil:
//   - dominio, IUV and CCP are the RPT's; the stazione too when both carry one;
//   - riferimentoMessaggioRichiesta is the RPT's identificativoMessaggioRichiesta
//     and riferimentoDataRichiesta the date (Europe/Rome) of its dataOra;
//   - enteBeneficiario, soggettoPagatore and, when both carry one,
//     soggettoVersante have the RPT's identifiers (codes only: names and
//     addresses may be reformatted by the PSP);
//   - importoTotalePagato is the sum of singoloImportoPagato;
//   - esito 0: one datiSingoloPagamento per versamento, each paying the
//     versamento in full; esito 2 and 4: one per versamento, each paying it
//     in full or 0.00, some but not all paid; esito 1 and 3: none or one per
//     versamento, total 0.00;
//   - an unpaid (0.00) datiSingoloPagamento carries esitoSingoloPagamento.
//
// Causale and datiSpecificiRiscossione are not compared: the node's own
// sample pair (RPT_T003/RT_T003) differs in causale and is accepted.
func Check(rpt *Request, rt *Receipt) error {
	var vs []Violation
	add := func(r Rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: r, Msg: fmt.Sprintf(format, args...)})
	}
	if rt.Dominio != rpt.Dominio {
		add(RuleDominio, "%q, the RPT has %q", rt.Dominio, rpt.Dominio)
	}
	if rt.IUV != rpt.IUV {
		add(RuleIUV, "%q, the RPT has %q", rt.IUV, rpt.IUV)
	}
	if rt.CCP != rpt.CCP {
		add(RuleCCP, "%q, the RPT has %q", rt.CCP, rpt.CCP)
	}
	if rt.Stazione != "" && rpt.Stazione != "" && rt.Stazione != rpt.Stazione {
		add(RuleStazione, "%q, the RPT has %q", rt.Stazione, rpt.Stazione)
	}
	if rt.RiferimentoMessaggioRichiesta != rpt.IdentificativoMessaggioRichiesta {
		add(RuleRiferimentoMessaggio, "%q, the RPT's identificativoMessaggioRichiesta is %q",
			rt.RiferimentoMessaggioRichiesta, rpt.IdentificativoMessaggioRichiesta)
	}
	got, want := rt.RiferimentoDataRichiesta.Format(gateway.DateLayout), rpt.DataOra.In(gateway.Rome).Format(gateway.DateLayout)
	if got != want {
		add(RuleRiferimentoData, "%s, the RPT was sent on %s", got, want)
	}
	if !sameCode(rt.EnteBeneficiario.Codice, rpt.EnteBeneficiario.Codice) {
		add(RuleEnteBeneficiario, "%q, the RPT has %q", rt.EnteBeneficiario.Codice, rpt.EnteBeneficiario.Codice)
	}
	if !sameSoggetto(rt.Pagatore, rpt.Pagatore) {
		add(RulePagatore, "%s %q, the RPT has %s %q", rt.Pagatore.Tipo, rt.Pagatore.Codice, rpt.Pagatore.Tipo, rpt.Pagatore.Codice)
	}
	if rt.Versante != nil && rpt.Versante != nil && !sameSoggetto(*rt.Versante, *rpt.Versante) {
		add(RuleVersante, "%s %q, the RPT has %s %q", rt.Versante.Tipo, rt.Versante.Codice, rpt.Versante.Tipo, rpt.Versante.Codice)
	}
	var sum gateway.Cents
	for _, p := range rt.Payments {
		sum += p.SingoloImportoPagato
	}
	if sum != rt.ImportoTotalePagato {
		add(RuleImportoTotale, "%s is not the sum of singoloImportoPagato (%s)", rt.ImportoTotalePagato, sum)
	}
	n, m := len(rpt.Items), len(rt.Payments)
	switch rt.Esito {
	case EsitoEseguito, EsitoParziale, EsitoDecorrenzaParziale:
		if m != n {
			add(RuleNumeroPagamenti, "%d with codiceEsitoPagamento %d, the RPT has %d datiSingoloVersamento", m, rt.Esito, n)
		}
		if t := rt.ImportoTotalePagato; rt.Esito != EsitoEseguito && (t == 0 || t >= rpt.Total()) {
			add(RuleImportoTotale, "%s with partial codiceEsitoPagamento %d, the RPT is for %s", t, rt.Esito, rpt.Total())
		}
	default:
		if m != 0 && m != n {
			add(RuleNumeroPagamenti, "%d with codiceEsitoPagamento %d, want 0 or %d", m, rt.Esito, n)
		}
		if rt.ImportoTotalePagato != 0 {
			add(RuleImportoTotale, "%s with codiceEsitoPagamento %d, want 0.00", rt.ImportoTotalePagato, rt.Esito)
		}
	}
	for i := 0; i < m && i < n; i++ {
		p, amount := rt.Payments[i], rpt.Items[i].Amount
		switch {
		case rt.Esito == EsitoEseguito && p.SingoloImportoPagato != amount:
			add(RuleImportoSingolo, "payment %d: %s, the versamento is %s", i+1, p.SingoloImportoPagato, amount)
		case (rt.Esito == EsitoNonEseguito || rt.Esito == EsitoDecorrenza) && p.SingoloImportoPagato != 0:
			add(RuleImportoSingolo, "payment %d: %s with codiceEsitoPagamento %d, want 0.00", i+1, p.SingoloImportoPagato, rt.Esito)
		case p.SingoloImportoPagato != 0 && p.SingoloImportoPagato != amount:
			add(RuleImportoSingolo, "payment %d: %s, the versamento is %s", i+1, p.SingoloImportoPagato, amount)
		}
		if p.SingoloImportoPagato == 0 && strings.TrimSpace(p.Esito) == "" {
			add(RuleEsitoSingolo, "payment %d: unpaid without esitoSingoloPagamento", i+1)
		}
	}
	if len(vs) == 0 {
		return nil
	}
	return &CheckError{Violations: vs}
}

func sameCode(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func sameSoggetto(a, b Soggetto) bool {
	return a.Tipo == b.Tipo && sameCode(a.Codice, b.Codice)
}
