package flussi

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ponte-pagopa/ponte/gateway"
	"github.com/ponte-pagopa/ponte/gateway/cf"
	"github.com/ponte-pagopa/ponte/gateway/iuv"
	"github.com/ponte-pagopa/ponte/gateway/normalize"
	"github.com/ponte-pagopa/ponte/gateway/rules"
)

// Checker runs the per-row checks of an import CSV: the syntax of every
// column, then the rules paaSILImportaDovuto applies (gateway/rules), as
// MyPay's import does. What needs the store (IUD repeated in the file or
// already used, M/A on a missing dovuto, due date in the past) is left to
// the store's set-based merge.
type Checker struct {
	Ente *gateway.Ente
	// Tipo finds one of the ente's tipi dovuto by code; nil (or
	// gateway.ErrNotFound) when there is none. It is called for every row:
	// give it a cache.
	Tipo func(code string) (*gateway.TipoDovuto, error)
	Now  time.Time
	// IUV15Limit is pa.dataLimiteNuoviIuv15; zero means
	// iuv.DefaultLimitNew15.
	IUV15Limit time.Time
	Version    Version
}

type colSpec struct {
	max       int
	mandatory bool
}

// specs are the column limits (mypay-sil §4.3). dataScadenzaPagamento is
// not syntax-mandatory: its absence has a code of its own. The secondary
// ente's columns count only when flagMultiBeneficiario is true.
var specs = [...]colSpec{
	colIUD: {35, true}, colIUV: {35, false}, colTipoID: {1, true}, colCodiceID: {35, true},
	colAnagrafica: {70, true}, colIndirizzo: {70, false}, colCivico: {16, false}, colCAP: {16, false},
	colLocalita: {35, false}, colProvincia: {2, false}, colNazione: {2, false}, colEmail: {256, false},
	colScadenza: {10, false}, colImporto: {15, true}, colCommissione: {15, false},
	colTipoDovuto: {64, true}, colTipoVersamento: {32, false}, colCausale: {1024, true},
	colDatiSpecifici: {140, true}, colBilancio: {4096, false}, colGeneraIUV: {5, false},
	colMultiBeneficiario: {5, false},
	colSecCF:             {11, true}, colSecDenominazione: {70, true}, colSecIBAN: {35, true},
	colSecIndirizzo: {70, false}, colSecCivico: {16, false}, colSecCAP: {16, false},
	colSecLocalita: {35, false}, colSecProvincia: {35, false}, colSecNazione: {2, false},
	colSecDatiSpecifici: {140, false}, colSecCausale: {1024, false}, colSecImporto: {15, true},
}

// maxCausale10 is the causale limit of layout 1_0.
const maxCausale10 = 140

// Row checks one data line split by Reader.Next and fills row: Line, Raw,
// Azione, GeneraIUV, the Dovuto's parsed values (payer normalised as
// paaSILImportaDovuto does, TipoVersamento ALL when blank) and the errors.
// A syntax problem rejects the row with CodeSintassiCSV alone; semantic
// problems accumulate their codes. The error return is for the Tipo lookup
// failing only.
func (c *Checker) Row(line int64, raw string, fields []string, row *gateway.ImportRow) error {
	*row = gateway.ImportRow{Line: line, Raw: raw}
	v := c.Version
	switch n := len(fields); {
	case n > v.Columns():
		row.Reject(CodeSintassiCSV, ReasonTooManyFields)
		return nil
	case n < v.Columns():
		row.Reject(CodeSintassiCSV, ReasonTooFewFields)
		return nil
	}
	var f [maxColumns]string
	last := v.AzioneIndex()
	for i := 0; i < last; i++ {
		f[i] = trim(fields[i])
	}
	row.Azione = trim(fields[last])
	row.GeneraIUV = v.HasGeneraIUV() && isTrue(f[colGeneraIUV])
	multi := v.HasSecondary() && isTrue(f[colMultiBeneficiario])
	d := &row.Dovuto
	d.IUD = f[colIUD]

	if desc := c.syntax(&f, last, multi); desc != "" {
		row.Reject(CodeSintassiCSV, desc)
		return nil
	}

	d.IUV = f[colIUV]
	d.DueDate = f[colScadenza]
	d.Causale = f[colCausale]
	d.DatiSpecificiRiscossione = f[colDatiSpecifici]
	d.TipoDovuto = f[colTipoDovuto]

	switch row.Azione {
	case "I", "M", "A":
	default:
		row.Reject(CodeCSVAzione, "azione non valida ["+echo(row.Azione)+"]")
	}
	if !rules.IUD(d.IUD) {
		row.Reject(CodeCSVIUD, "IUD non valido ["+echo(d.IUD)+"]")
	}
	limit := c.IUV15Limit
	if limit.IsZero() {
		limit = iuv.DefaultLimitNew15
	}
	if !iuv.ValidateSupplied(d.IUV, row.Azione, row.GeneraIUV, c.Ente.ApplicationCode, c.Now, limit) {
		row.Reject(CodeCSVIUV, "IUV non valido ["+echo(d.IUV)+"]")
	}

	tipo, err := c.Tipo(d.TipoDovuto)
	if errors.Is(err, gateway.ErrNotFound) {
		tipo, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("flussi: tipo dovuto %q: %w", d.TipoDovuto, err)
	}
	switch {
	case tipo == nil:
		row.Reject(CodeCSVTipoDovutoInesistente, "tipo dovuto ["+echo(d.TipoDovuto)+"] inesistente")
	case !tipo.Enabled:
		row.Reject(CodeCSVTipoDovutoNonAttivo, "tipo dovuto ["+echo(d.TipoDovuto)+"] non attivo per l'ente")
	case tipo.Code == gateway.MarcaBolloDigitale:
		row.Reject(CodeCSVTipoDovutoMarcaDaBollo, "tipo dovuto ["+echo(d.TipoDovuto)+"] non valido per l'import")
	}
	if tipo != nil {
		d.TipoDovuto = tipo.Code
	}

	c.payer(&f, tipo, row)

	if d.DueDate == "" && (v <= V1_1 || tipo != nil && tipo.DueDateMandatory) {
		row.Reject(CodeCSVDataScadenzaNonPresente, "dataScadenzaPagamento non presente")
	}

	amount, amountOK := parseCents(f[colImporto])
	switch {
	case !amountOK || !rules.Amount(amount):
		amountOK = false
		row.Reject(CodeCSVImporto, "importoDovuto non valido ["+echo(f[colImporto])+"]")
	case tipo != nil && tipo.FixedAmount > 0 && amount != tipo.FixedAmount:
		// Ponte's own rule, as in paaSILImportaDovuto.
		row.Reject(CodeCSVImporto, "importoDovuto ["+echo(amount.String())+"] diverso dall'importo del tipo dovuto ["+echo(tipo.FixedAmount.String())+"]")
	}
	d.Amount = amount
	if s := f[colCommissione]; s != "" {
		com, ok := parseCents(s)
		if !ok || !rules.Commission(com) {
			row.Reject(CodeCSVCommissioniPA, "commissioneCaricoPa non valida ["+echo(s)+"]")
		}
		d.Commission = com
	}

	d.TipoVersamento = f[colTipoVersamento]
	if !rules.TipoVersamento(d.TipoVersamento) {
		row.Reject(CodeCSVTipoVers, "tipoVersamento non valido ["+echo(d.TipoVersamento)+"]")
	}
	if d.TipoVersamento == "" {
		d.TipoVersamento = rules.TipoVersamentoAll
	}
	if !rules.DatiSpecifici(d.DatiSpecificiRiscossione) {
		row.Reject(CodeCSVDatiRiscoss, "datiSpecificiRiscossione non validi ["+echo(d.DatiSpecificiRiscossione)+"]")
	}
	if s := f[colBilancio]; v.HasBilancio() && s != "" {
		b, err := rules.Bilancio(s)
		switch {
		case err != nil:
			row.Reject(CodeCSVBilancio, "bilancio non valido: "+echo(err.Error()))
		case amountOK && b.Total() != amount:
			row.Reject(CodeCSVBilancio, "importo bilancio ["+echo(b.Total().String())+"] non congruente con importoDovuto ["+echo(amount.String())+"]")
		}
		d.Bilancio = b
	}
	if multi {
		c.secondary(&f, amount, amountOK, row)
	}
	return nil
}

// syntax checks presence and length of the data columns (and the date
// format) and returns MyPay's description, "" when fine.
func (c *Checker) syntax(f *[maxColumns]string, last int, multi bool) string {
	desc := ""
	for i := 0; i < last; i++ {
		s := f[i]
		sp := specs[i]
		if i >= colSecCF && !multi {
			break
		}
		if i == colCausale && c.Version == V1_0 {
			sp.max = maxCausale10
		}
		switch {
		case s == "":
			if sp.mandatory {
				desc += "|" + columnNames[i] + " NON PRESENTE"
			}
		case !rules.MaxLen(s, sp.max):
			desc += "|" + columnNames[i] + " TROPPO GRANDE"
		case i == colScadenza && !validDate(s):
			desc += "|" + columnNames[i] + " FORMATO NON VALIDO"
		}
	}
	return desc
}

// payer checks and normalises the soggetto pagatore.
func (c *Checker) payer(f *[maxColumns]string, tipo *gateway.TipoDovuto, row *gateway.ImportRow) {
	p := gateway.Payer{
		Type:     strings.ToUpper(f[colTipoID]),
		ID:       strings.ToUpper(f[colCodiceID]),
		Name:     f[colAnagrafica],
		Address:  f[colIndirizzo],
		Civic:    f[colCivico],
		CAP:      f[colCAP],
		Locality: f[colLocalita],
		Province: f[colProvincia],
		Nation:   f[colNazione],
		Email:    f[colEmail],
	}
	if p.Type != "F" && p.Type != "G" {
		row.Reject(CodeCSVIDUnivFG, "tipoIdentificativoUnivoco non valido ["+echo(p.Type)+"]")
	} else {
		switch cf.ValidateSoggetto(p.Type, p.ID, tipo != nil && tipo.AllowAnonymousCF) {
		case gateway.CodeCodiceFiscaleNonValido:
			row.Reject(CodeCSVCodFisc, "codice fiscale non valido ["+echo(p.ID)+"]")
		case gateway.CodePIVANonValido:
			row.Reject(CodeCSVPIva, "partita IVA non valida ["+echo(p.ID)+"]")
		}
	}
	checkPlace(row, p.Address, p.Civic, p.Nation, p.Province, p.CAP, &placeCodes{
		CodeCSVIndirizzo, CodeCSVCivico, CodeCSVNaz, CodeCSVProv, CodeCSVCAP,
	})
	if p.Email != "" && !rules.Email(p.Email) {
		row.Reject(CodeCSVEmail, "emailPagatore non valida ["+echo(p.Email)+"]")
	}
	n := rules.NormalizePayer(p)
	row.Dovuto.Payer = &n
}

// placeCodes are the codes of checkPlace for the payer or the secondary
// ente.
type placeCodes struct{ indirizzo, civico, naz, prov, cap string }

var secondaryPlace = placeCodes{
	CodeCSVIndirizzoEnteSecondario, CodeCSVCivicoEnteSecondario, CodeCSVNazEnteSecondario,
	CodeCSVProvEnteSecondario, CodeCSVCAPEnteSecondario,
}

// checkPlace rejects address data that the step-8 normalisation would
// lose: an address or civic with nothing usable, an unknown nation, an
// unknown Italian province, a CAP not valid for the nation.
func checkPlace(row *gateway.ImportRow, address, civic, nation, province, cap string, codes *placeCodes) {
	if address != "" && rules.Address(address) == "" {
		row.Reject(codes.indirizzo, "indirizzo non valido ["+echo(address)+"]")
	}
	if civic != "" && rules.Civico(civic) == "" {
		row.Reject(codes.civico, "civico non valido ["+echo(civic)+"]")
	}
	nat := normalize.Nation(nation)
	if nation != "" && nat == "" {
		row.Reject(codes.naz, "nazione non valida ["+echo(nation)+"]")
	}
	if province != "" && nat == normalize.Italy && normalize.Province(nat, province) == "" {
		row.Reject(codes.prov, "provincia non valida ["+echo(province)+"]")
	}
	if cap != "" && normalize.CAP(nat, cap) == "" {
		row.Reject(codes.cap, "CAP non valido ["+echo(cap)+"]")
	}
}

// secondary checks the multi-beneficiary columns of a 1_4 row and sets
// the dovuto's Secondary.
func (c *Checker) secondary(f *[maxColumns]string, amount gateway.Cents, amountOK bool, row *gateway.ImportRow) {
	s := &gateway.SecondaryBeneficiary{
		CodiceFiscale:            f[colSecCF],
		Denominazione:            f[colSecDenominazione],
		IBAN:                     strings.ToUpper(f[colSecIBAN]),
		Address:                  f[colSecIndirizzo],
		Civic:                    f[colSecCivico],
		CAP:                      f[colSecCAP],
		Locality:                 f[colSecLocalita],
		Province:                 f[colSecProvincia],
		Nation:                   f[colSecNazione],
		DatiSpecificiRiscossione: f[colSecDatiSpecifici],
		Causale:                  f[colSecCausale],
	}
	if !cf.ValidCodiceFiscale(s.CodiceFiscale) && !cf.ValidPartitaIVA(s.CodiceFiscale) {
		row.Reject(CodeCSVCodFiscEnteSecondario, "codice fiscale ente secondario non valido ["+echo(s.CodiceFiscale)+"]")
	}
	if !validIBAN(s.IBAN) {
		row.Reject(CodeCSVIBANEnteSecondario, "IBAN ente secondario non valido ["+echo(s.IBAN)+"]")
	}
	checkPlace(row, s.Address, s.Civic, s.Nation, s.Province, s.CAP, &secondaryPlace)
	if !rules.DatiSpecificiSecondario(s.DatiSpecificiRiscossione) {
		row.Reject(CodeCSVDatiRiscossEnteSecondario, "datiSpecificiRiscossione ente secondario non validi ["+echo(s.DatiSpecificiRiscossione)+"]")
	}
	sec, ok := parseCents(f[colSecImporto])
	// The primary ente keeps a share: pagoPA refuses a zero transfer.
	if !ok || !rules.Amount(sec) || amountOK && sec >= amount {
		row.Reject(CodeCSVImportoVersEnteSecondario, "importoVersamentoEnteSecondario non valido ["+echo(f[colSecImporto])+"]")
	}
	s.Amount = sec
	nation := normalize.Nation(s.Nation)
	s.Address = rules.Address(s.Address)
	s.Civic = rules.Civico(s.Civic)
	s.CAP = normalize.CAP(nation, s.CAP)
	s.Province = normalize.Province(nation, s.Province)
	s.Nation = nation
	row.Dovuto.Secondary = s
}

// validIBAN is the CSV rule for the secondary ente's IBAN: 27 characters
// (an Italian IBAN) of stIBANIdentifier's form.
func validIBAN(s string) bool {
	if len(s) != 27 || !isLetter(s[0]) || !isLetter(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if !isLetter(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// parseCents reads a CSV amount exactly: digits, optionally a dot and at
// most two decimals ("10", "10.1", "10.10", ".5"). No sign, no exponent.
func parseCents(s string) (gateway.Cents, bool) {
	var n int64
	i, digits := 0, 0
	for ; i < len(s) && isDigit(s[i]); i++ {
		if digits++; digits > 16 {
			return 0, false
		}
		n = n*10 + int64(s[i]-'0')
	}
	dec := 0
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && isDigit(s[i]); i++ {
			if dec++; dec > 2 {
				return 0, false
			}
			n = n*10 + int64(s[i]-'0')
		}
	}
	if i != len(s) || digits+dec == 0 {
		return 0, false
	}
	for ; dec < 2; dec++ {
		n *= 10
	}
	return gateway.Cents(n), true
}

// validDate reports whether s is a real calendar day as yyyy-MM-dd.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if !isDigit(s[i]) {
			return false
		}
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	d := int(s[8]-'0')*10 + int(s[9]-'0')
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// trim drops the ASCII spaces and control characters around s, as Java's
// String.trim does.
func trim(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

// isTrue is Boolean.parseBoolean.
func isTrue(s string) bool { return len(s) == 4 && strings.EqualFold(s, "true") }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// maxEcho caps a value quoted in a description.
const maxEcho = 70

// echo makes a value fit a description: the descriptions are '|'-joined
// and written as one ';'-separated column, so neither may appear, nor
// quotes or line breaks; long values are cut.
func echo(s string) string {
	if len(s) > maxEcho {
		cut := maxEcho
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	if !strings.ContainsAny(s, "|;\"\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '|', ';', '"', '\r', '\n':
			return ' '
		}
		return r
	}, s)
}
