package sil

import (
	"context"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/cf"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
	"github.com/ponte-pagopa/ponte/gateway/rules"
)

// ShowMyPay values of paaSILInviaDovuti.
const (
	ShowMyPayShort = "SHORT"
	ShowMyPayNone  = "NONE"
)

const opInviaDovuti = "paaSILInviaDovuti"

// maxHashDocumento is pagoPA's limit on the marca da bollo hash.
const maxHashDocumento = 72

// ValidateDovuti runs the checks of paaSILInviaDovuti after the ente and
// password (MyPay's steps 2–9), in MyPay's order, on payload: the base64
// text of the <dovuti> element. It returns one dovuto per
// datiSingoloVersamento, not yet stored and without IUV, or the first fault.
// showMyPay is the request's value ("" means SHORT).
func (s *Service) ValidateDovuti(ctx context.Context, ente *gateway.Ente, payload []byte, showMyPay string) ([]*gateway.Dovuto, *gateway.Error) {
	return s.validateDovuti(ctx, ente, payload, showMyPay, inviaRules(ente.CodIpa))
}

// dovutiRules is what differs between the ladder of paaSILInviaDovuti and
// the one MyPay runs on each elementoListaDovuti of
// paaSILInviaCarrelloDovuti.
type dovutiRules struct {
	op     string
	codIpa string // the caller's codIpaEnte, named in the XML fault description
	flusso string // the items' IUF after "_<codIpa>"
	// seen holds the IUDs met so far in the request, per ente ID; nil skips
	// the "duplicato in input" check.
	seen map[int64]map[string]bool
	// usedText is the faultString of an IUD already used; MyPay spells it
	// differently in the two operations.
	usedText string
}

func inviaRules(codIpa string) *dovutiRules {
	return &dovutiRules{op: opInviaDovuti, codIpa: codIpa, flusso: "_ESTERNO-ANONIMO", usedText: "IUD [%s] già inviato"}
}

func (s *Service) validateDovuti(ctx context.Context, ente *gateway.Ente, payload []byte, showMyPay string, r *dovutiRules) ([]*gateway.Dovuto, *gateway.Error) {
	doc, gerr := s.decodeDovuti(payload, r.op, r.codIpa)
	if gerr != nil {
		return nil, gerr
	}
	// MyPay upper-cases the province before anything else (its issue #45).
	doc.Payer.Province = strings.ToUpper(doc.Payer.Province)

	if len(doc.Items) == 0 {
		return nil, gateway.Errorf(gateway.CodeXMLNonValido, "dati singolo versamento mancanti")
	}
	if doc.IUV != "" {
		return nil, gateway.Errorf(gateway.CodeIUVNonValido, "l'inserimento dello IUV è deprecato")
	}
	if !rules.TipoVersamento(doc.TipoVersamento) {
		return nil, gateway.Errorf(gateway.CodeTipoVersamentoNonValido, "Tipo versamento non valido [%s]", doc.TipoVersamento)
	}

	// ANONIMO is accepted only when every tipo of the document allows it.
	tipi := make(map[string]*gateway.TipoDovuto, len(doc.Items))
	anonimo := true
	for _, it := range doc.Items {
		t, ok := tipi[it.TipoDovuto]
		if !ok {
			var err error
			if t, err = s.cache.tipo(ctx, s.enti, ente.ID, it.TipoDovuto); err != nil {
				return nil, systemError(err)
			}
			tipi[it.TipoDovuto] = t
		}
		if t == nil || !t.Enabled || !t.AllowAnonymousCF {
			anonimo = false
		}
	}
	p := &doc.Payer
	if code := cf.ValidateSoggetto(p.Type, p.ID, anonimo); code != "" {
		if code == gateway.CodeSystemError {
			return nil, payerIDError(code, p, "%s [%s]")
		}
		if p.ID == cf.Anonimo {
			return nil, gateway.Errorf(code, "Funzionalita CF ANONIMO non valida")
		}
		return nil, payerIDError(code, p, "%s [%s]")
	}

	for _, it := range doc.Items {
		if gerr := s.checkItem(ctx, ente, &it, tipi[it.TipoDovuto], r); gerr != nil {
			return nil, gerr
		}
	}

	if strings.EqualFold(showMyPay, ShowMyPayNone) {
		if reason := anagraficaProblem(p); reason != "" {
			return nil, gateway.Errorf(gateway.CodeAnagraficaNonValida, "paaSILInviaDovuti: Anagrafica Pagatore non valida%s]", reason)
		}
	}

	tipoVersamento := doc.TipoVersamento
	if tipoVersamento == "" {
		tipoVersamento = rules.TipoVersamentoAll
	}
	out := make([]*gateway.Dovuto, 0, len(doc.Items))
	for _, it := range doc.Items {
		out = append(out, &gateway.Dovuto{
			EnteID:                   ente.ID,
			IUD:                      it.IUD,
			TipoDovuto:               it.TipoDovuto,
			TipoVersamento:           tipoVersamento,
			Amount:                   it.Amount,
			Commission:               it.Commission,
			Causale:                  it.Causale,
			DatiSpecificiRiscossione: it.DatiSpecifici,
			Bilancio:                 it.Bilancio,
			Payer: &gateway.Payer{
				Type: p.Type, ID: p.ID, Name: p.Name, Address: p.Address, Civic: p.Civic,
				CAP: p.CAP, Locality: p.Locality, Province: p.Province, Nation: p.Nation, Email: p.Email,
			},
			State:  gateway.DovutoPredisposto,
			Flusso: "_" + ente.CodIpa + r.flusso,
		})
	}
	return out, nil
}

// checkDovutoItem is step 8 for one datiSingoloVersamento; t is its tipo
// (nil when unknown).
func (s *Service) checkDovutoItem(ctx context.Context, ente *gateway.Ente, it *dovutoItem, t *gateway.TipoDovuto) *gateway.Error {
	return s.checkItem(ctx, ente, it, t, inviaRules(ente.CodIpa))
}

func (s *Service) checkItem(ctx context.Context, ente *gateway.Ente, it *dovutoItem, t *gateway.TipoDovuto, r *dovutiRules) *gateway.Error {
	if !rules.IUD(it.IUD) {
		return gateway.Errorf(gateway.CodeIUDNonValido, "IdentificativoUnivocoDovuto non valido [%s]", it.IUD)
	}
	if r.seen != nil {
		if r.seen[ente.ID][it.IUD] {
			return gateway.Errorf(gateway.CodeIUDDuplicato, "IUD [%s] duplicato in input per ente", it.IUD)
		}
		if r.seen[ente.ID] == nil {
			r.seen[ente.ID] = map[string]bool{}
		}
		r.seen[ente.ID][it.IUD] = true
	}
	used, err := s.dovuti.IUDUsed(ctx, ente.ID, it.IUD)
	if err != nil {
		return systemError(err)
	}
	if used {
		return gateway.Errorf(gateway.CodeIUDDuplicato, r.usedText, it.IUD)
	}
	if t == nil {
		return gateway.Errorf(gateway.CodeTipoDovutoNonValido, "identificativoTipoDovuto [%s] non valido", it.TipoDovuto)
	}
	if !t.Enabled {
		return gateway.Errorf(gateway.CodeTipoDovutoNonAbilitato, "identificativoTipoDovuto [%s] non abilitato", it.TipoDovuto)
	}
	mb := it.MarcaBollo
	if it.TipoDovuto == gateway.MarcaBolloDigitale {
		if it.Amount != t.FixedAmount {
			return gateway.Errorf(gateway.CodeImportoMarcaBolloNonValida, "importoSingoloVersamento non valido per tipo dovuto %s", gateway.MarcaBolloDigitale)
		}
		if mb == nil || mb.TipoBollo == "" || mb.HashDocumento == "" || mb.ProvinciaResidenza == "" {
			return gateway.Errorf(gateway.CodeMarcaBolloNonValida, "dati marca da bollo mancanti o non validi")
		}
		if len([]rune(mb.HashDocumento)) > maxHashDocumento {
			return gateway.Errorf(gateway.CodeMarcaBolloNonValida, "hashDocumento non può contenere più di 72 caratteri")
		}
	} else if mb != nil && (mb.TipoBollo != "" || mb.HashDocumento != "" || mb.ProvinciaResidenza != "") {
		return gateway.Errorf(gateway.CodeMarcaBolloNonValida, "dati marca da bollo non supportati su tipo dovuto diverso da marca da bollo")
	}
	if !rules.DatiSpecifici(it.DatiSpecifici) {
		return gateway.Errorf(gateway.CodeDatiSpecificiNonValido, "DatiSpecificiRiscossione non valido [%s]", it.DatiSpecifici)
	}
	if it.Amount == 0 {
		return gateway.Errorf(gateway.CodeImportoNonValido, "ImportoSingoloVersamento non valido [%s]", javaDecimal(it.Amount))
	}
	if it.Bilancio != nil && it.Bilancio.Total() != it.Amount {
		return gateway.Errorf(gateway.CodeImportoBilancioNonValido, "Importo bilancio non congruente per dovuto con importo [%s]", javaDecimal(it.Amount))
	}
	if it.Causale == "" {
		return gateway.Errorf(gateway.CodeCausaleNonPresente, "Causale versamento obbligatoria mancante")
	}
	return nil
}

// anagraficaProblem is MyPay's showMyPay=NONE check of the payer: every
// check runs and the last failing one names the problem ("" when fine).
func anagraficaProblem(p *payer) string {
	reason := ""
	if p.Email == "" || !normalize.Email(p.Email) {
		reason = "email non valida"
	}
	if p.Name == "" {
		reason = "denominazione non valorizzata"
	}
	if p.CAP != "" {
		if nation := normalize.Nation(p.Nation); nation == "" {
			reason = "nazione non valorizzata"
		} else if normalize.CAP(nation, p.CAP) == "" {
			reason = "cap non valido"
		}
	}
	if p.Address != "" && !validAnagraficaField(normalize.Address(p.Address), maxIndirizzo) {
		reason = "indirizzo non valido"
	}
	if p.Civic != "" && !validAnagraficaField(normalize.Civico(p.Civic), maxCivico) {
		reason = "civico non valido"
	}
	return reason
}

// Lengths of stText70 (indirizzo) and stText16 (civico).
const (
	maxIndirizzo = 70
	maxCivico    = 16
)

// validAnagraficaField is MyPay's validaIndirizzoAnagrafica and
// validaCivicoAnagrafica on an already cleaned value: something left, and
// not longer than the field.
func validAnagraficaField(s string, max int) bool {
	n := len([]rune(s))
	return n > 0 && n <= max
}
