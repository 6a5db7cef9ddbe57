package papernodo

import (
	"errors"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway/rpt"
)

// Acceptance policy for an RT that does not pass rpt.Check against its RPT.
//
// A refused RT is a payment lost: the legacy node marks it RT_RIFIUTATA_PA
// and never retries, wisp-converter moves it to its dead letters
// (pagopa-node.md §11.1–§11.2), and SANP says receipts "non possono essere
// rifiutate". So Ponte refuses only an RT it could not honestly record:
//
//   - identity (dominio, IUV, CCP differ from the RPT's): the RT is about
//     another payment → PAA_RPT_SCONOSCIUTA;
//   - amounts that make no sense: importoTotalePagato not the sum of the
//     singoli, an esito 0 not paying every versamento in full (so a total
//     other than the RPT's), a partial esito paying nothing or everything,
//     a negative esito with money in it, a singolo paying neither the
//     versamento nor 0.00 → PAA_SEMANTICA, the rule in the description.
//
// Every other finding is accepted with a warning in the log: the echo
// rules (riferimentoMessaggioRichiesta and riferimentoDataRichiesta,
// stazione, enteBeneficiario, pagatore, versante), an unpaid
// datiSingoloPagamento without esitoSingoloPagamento, and the number of
// datiSingoloPagamento of a negative RT (nothing was paid, so nothing can
// be misattributed). The node's own sample pair RT_T003/RPT_T003 fails
// riferimentoMessaggioRichiesta, which shows that the node does not hold
// PSPs to the echo rules; refusing on them would lose real payments.
// A rule rpt.Check learns later is accepted with a warning until it is
// classified here.

// judge splits Check's findings into the refusal to answer (nil to
// accept) and the violations to log as warnings.
func judge(rt *rpt.Receipt, checkErr error) (refuse *rpt.CheckError, warn []rpt.Violation) {
	if checkErr == nil {
		return nil, nil
	}
	var ce *rpt.CheckError
	if !errors.As(checkErr, &ce) {
		// Check returns nothing else; treat anything else as a refusal
		// rather than accepting an RT nobody checked.
		return &rpt.CheckError{Violations: []rpt.Violation{{Rule: "check", Msg: checkErr.Error()}}}, nil
	}
	negative := rt.Esito == rpt.EsitoNonEseguito || rt.Esito == rpt.EsitoDecorrenza
	var refused []rpt.Violation
	for _, v := range ce.Violations {
		if refuses(v.Rule, negative) {
			refused = append(refused, v)
		} else {
			warn = append(warn, v)
		}
	}
	if len(refused) == 0 {
		return nil, warn
	}
	return &rpt.CheckError{Violations: refused}, warn
}

// refuses says whether a failure of rule makes the RT unacceptable.
func refuses(rule rpt.Rule, negative bool) bool {
	switch rule {
	case rpt.RuleDominio, rpt.RuleIUV, rpt.RuleCCP:
		return true
	case rpt.RuleImportoTotale, rpt.RuleImportoSingolo:
		return true
	case rpt.RuleNumeroPagamenti:
		return !negative
	}
	return false
}

// describe writes violations for a faultBean description or a log line.
func describe(vs []rpt.Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v.Rule) + ": " + v.Msg
	}
	return strings.Join(parts, "; ")
}
