package sil

import (
	"context"
	"encoding/xml"
	"math/big"
	"strconv"
	"strings"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/auth"
	"github.com/ponte-pagopa/ponte/gateway/cf"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
	"github.com/ponte-pagopa/ponte/gateway/soap"
	gensil "github.com/ponte-pagopa/ponte/generated/sil"
)

// Fault codes of paaSILInviaCarrelloDovuti's multi-beneficiary rules.
const (
	codeLimiteMultibeneficiari = "PAA_LIMITE_MASSIMO_DOVUTI_MULTIBENEFICIARI"
	codeLimiteEntiSecondari    = "PAA_LIMITE_MASSIMO_DOVUTI_ENTI_SECONDARI"
	codeEnteSecondario         = "PAA_ENTE_SECONDARIO_NON_VALIDO"
)

// handleInviaCarrello serves paaSILInviaCarrelloDovuti.
func (s *Service) handleInviaCarrello(ctx context.Context, req *soap.Request) (any, xml.Name, error) {
	name := responseName(opInviaCarrello)
	codIpa, ok := headerCodIpa(req)
	if !ok {
		return nil, name, errNoHeader
	}
	var w inviaCarrelloWire
	if err := req.DecodeBody(&w); err != nil {
		return nil, name, err
	}
	ev := soap.EventFrom(ctx)
	ev.CodIpa = codIpa
	c, gerr := s.inviaCarrello(ctx, codIpa, &w)
	return s.cartAnswer(ev, opInviaCarrello, codIpa, c, gerr), name, nil
}

// inviaCarrello follows MyPay's order: the caller's ente and password
// (no state check), every element's ente and hash, then each element's
// Dovuti ladder with IUDs unique across the request, then the
// multi-beneficiary rules. One payment per element: each is one RPT of
// the cart, so more than five elements cannot be sent and are refused
// here (MyPay accepts them and fails at checkout).
func (s *Service) inviaCarrello(ctx context.Context, codIpa string, w *inviaCarrelloWire) (*gateway.Cart, *gateway.Error) {
	caller, gerr := s.checkEnteInvia(ctx, codIpa, trim(w.Password), false)
	if gerr != nil {
		return nil, gerr
	}
	elems := w.Lista.Elementi
	enti := make([]*gateway.Ente, len(elems))
	for i, e := range elems {
		c := trim(e.CodIpaEnte)
		ente, err := s.cache.ente(ctx, s.enti, c)
		if err != nil {
			return nil, systemError(err)
		}
		if ente == nil {
			return nil, gateway.Errorf(gateway.CodeEnteNonValido, "codice IPA Ente [%s] non valido", c)
		}
		if !auth.CartHashMatches(trim(e.Password), s.cartSecret, ente.CodiceFiscale) {
			return nil, gateway.Errorf(gateway.CodeEnteNonValido, "Password non valida per ente [%s]", c)
		}
		enti[i] = ente
	}
	if len(elems) == 0 {
		return nil, gateway.Errorf(gateway.CodeXMLNonValido, "dati singolo versamento mancanti")
	}

	rules := &dovutiRules{op: opInviaCarrello, codIpa: codIpa, flusso: "_ESTERNO-ANONIMO_MULTIENTE",
		seen: map[int64]map[string]bool{}, usedText: "IUD [%s] gia' inviato"}
	items := make([][]*gateway.Dovuto, len(elems))
	for i, e := range elems {
		ds, gerr := s.validateDovuti(ctx, enti[i], e.Dovuti, ShowMyPayShort, rules)
		if gerr != nil {
			return nil, gerr
		}
		items[i] = ds
	}

	var sec *secondario
	if w.Secondari != nil {
		if len(elems) > 1 {
			return nil, gateway.Errorf(codeLimiteMultibeneficiari, "Numero dovuti Ente primario [%d] non valido", len(elems))
		}
		if n := len(items[0]); n > 1 {
			return nil, gateway.Errorf(codeLimiteMultibeneficiari, "Numero dati singolo versamento Ente primario [%d] non valido", n)
		}
		switch n := len(w.Secondari.Elementi); {
		case n == 1:
			if sec, gerr = s.checkSecondarioCarrello(w.Secondari.Elementi[0].Dovuti, codIpa, enti[0]); gerr != nil {
				return nil, gerr
			}
		case n > 1:
			return nil, gateway.Errorf(codeLimiteEntiSecondari, "Numero di Dovuti Ente Secondario superiore ai consentiti da pagopa [%d]", n)
		}
	}
	if len(elems) > maxPayments {
		return nil, gateway.Errorf(gateway.CodeXMLNonValido, "XML dei dovuti non valido").WithDescription(
			"Numero di elementi di listaDovuti [" + strconv.Itoa(len(elems)) + "] superiore al massimo di 5 RPT di un carrello pagoPA")
	}

	c := s.newCart(gateway.CartEsternoMultiente, caller, w.ReturnURL, ShowMyPayShort)
	for i := range elems {
		addPayment(c, enti[i], "", items[i])
	}
	if sec != nil {
		primary := items[0][0]
		primary.Secondary = sec
		causale := sec.Causale
		if causale == "" {
			causale = primary.Causale
		}
		// The secondary beneficiary is no ente of Ponte: its RPT (the second
		// of the multi-beneficiary cart) is for its dominio and IBAN. Its one
		// item is the secondary share of the primary's dovuto, hence the
		// primary's IUD; EnteID 0 says it is registered for no ente.
		addPayment(c, nil, sec.CodiceFiscale, []*gateway.Dovuto{{
			IUD:                      primary.IUD,
			State:                    gateway.DovutoPredisposto,
			TipoDovuto:               primary.TipoDovuto,
			TipoVersamento:           primary.TipoVersamento,
			Amount:                   sec.Amount,
			Causale:                  causale,
			DatiSpecificiRiscossione: sec.DatiSpecificiRiscossione,
			Payer:                    primary.Payer,
			Secondary:                sec,
			Flusso:                   primary.Flusso,
		}})
		c.MultiBeneficiary = true
	}
	if gerr := s.saveCart(ctx, c); gerr != nil {
		return nil, gerr
	}
	return c, nil
}

// checkSecondarioCarrello decodes and checks the DovutiEntiSecondari
// document of a multi-beneficiary cart, in MyPay's order. Two MyPay checks
// need tables Ponte does not have and are skipped: the località against
// the comuni, the taxonomy code against the tassonomia.
func (s *Service) checkSecondarioCarrello(text []byte, codIpa string, primary *gateway.Ente) (*secondario, *gateway.Error) {
	var doc gensil.DovutiEntiSecondari
	if gerr := decodePayload(text, opInviaCarrello, codIpa, xmlDovutiNonValido, &doc); gerr != nil {
		return nil, gerr
	}
	sec := secondarioOf(&doc.DatiVersamentoEntiSecondari)
	bad := func(what, v string) *gateway.Error {
		return gateway.Errorf(codeEnteSecondario, "%s Ente secondario non valid%s [%s]", what, suffixFor(what), v)
	}
	if !cf.ValidCodiceFiscale(strings.ToUpper(sec.CodiceFiscale)) {
		return nil, bad("Codice Fiscale o Partita Iva", sec.CodiceFiscale)
	}
	if !validIBAN(sec.IBAN) {
		return nil, bad("IBAN accredito", sec.IBAN)
	}
	if sec.Address != "" && !validAnagraficaField(normalize.Address(sec.Address), maxIndirizzo) {
		return nil, bad("Indirizzo", sec.Address)
	}
	if sec.Civic != "" && !validAnagraficaField(normalize.Civico(sec.Civic), maxCivico) {
		return nil, bad("Civico", sec.Civic)
	}
	nation := ""
	if sec.Nation != "" {
		if nation = normalize.Nation(sec.Nation); nation == "" {
			return nil, bad("Nazione", sec.Nation)
		}
	}
	if sec.CAP != "" && normalize.CAP(nation, sec.CAP) == "" {
		return nil, bad("CAP", sec.CAP)
	}
	if sec.Province != "" && nation == normalize.Italy && normalize.Province(nation, sec.Province) == "" {
		return nil, bad("Provincia", sec.Province)
	}
	if sec.Amount == 0 {
		return nil, bad("ImportoSingoloVersamento", javaDecimal(sec.Amount))
	}
	// Ponte's own rule: pagoPA refuses a multi-beneficiary cart whose two
	// RPTs are for the same ente.
	if strings.EqualFold(sec.CodiceFiscale, primary.CodiceFiscale) {
		return nil, gateway.Errorf(codeEnteSecondario, "Ente secondario coincidente con l'Ente primario [%s]", sec.CodiceFiscale)
	}
	return sec, nil
}

// suffixFor picks the gender MyPay's texts use: "non valido" for most,
// "non valida" for Nazione, Provincia and Località.
func suffixFor(what string) string {
	switch what {
	case "Nazione", "Provincia":
		return "a"
	}
	return "o"
}

// validIBAN checks an Italian-length IBAN (27 characters) and its ISO 7064
// mod-97 check digits.
func validIBAN(s string) bool {
	s = strings.ToUpper(s)
	if len(s) != 27 {
		return false
	}
	var b strings.Builder
	for _, c := range s[4:] + s[:4] {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			b.WriteString(strconv.Itoa(int(c-'A') + 10))
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}
