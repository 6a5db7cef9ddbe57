package flussi

// Version is the layout of an import CSV, the last part of the zip name
// (<codIPA>-<IUF>-<versione>.zip).
type Version uint8

// The supported layouts (MyPay's SupportedFileVersion). The zero Version
// is none of them.
const (
	V1_0 Version = iota + 1
	V1_1
	V1_2
	V1_3
	V1_4
)

var versionNames = [...]string{V1_0: "1_0", V1_1: "1_1", V1_2: "1_2", V1_3: "1_3", V1_4: "1_4"}

// ParseVersion reads "1_0" … "1_4".
func ParseVersion(s string) (Version, bool) {
	for v := V1_0; v <= V1_4; v++ {
		if versionNames[v] == s {
			return v, true
		}
	}
	return 0, false
}

// Valid reports whether v is a supported layout.
func (v Version) Valid() bool { return v >= V1_0 && v <= V1_4 }

// String is the name used in the zip name ("" for an invalid Version).
func (v Version) String() string {
	if !v.Valid() {
		return ""
	}
	return versionNames[v]
}

// Columns is the number of fields every data line has: 20, 20, 21, 22, 35.
func (v Version) Columns() int {
	switch v {
	case V1_0, V1_1:
		return 20
	case V1_2:
		return 21
	case V1_3:
		return 22
	case V1_4:
		return 35
	}
	return 0
}

// AzioneIndex is the 0-based column of azione, always the last one.
func (v Version) AzioneIndex() int { return v.Columns() - 1 }

// HasBilancio reports whether the layout has the bilancio column (1_2 on).
func (v Version) HasBilancio() bool { return v >= V1_2 }

// HasGeneraIUV reports whether the layout has flagGeneraIuv (1_3 on).
func (v Version) HasGeneraIUV() bool { return v >= V1_3 }

// HasSecondary reports whether the layout has the multi-beneficiary
// columns (1_4).
func (v Version) HasSecondary() bool { return v == V1_4 }

// maxColumns is the widest layout.
const maxColumns = 35

// Column indexes shared by every layout; azione moves, see AzioneIndex.
const (
	colIUD = iota
	colIUV
	colTipoID
	colCodiceID
	colAnagrafica
	colIndirizzo
	colCivico
	colCAP
	colLocalita
	colProvincia
	colNazione
	colEmail
	colScadenza
	colImporto
	colCommissione
	colTipoDovuto
	colTipoVersamento
	colCausale
	colDatiSpecifici
	colBilancio          // 1_2 on
	colGeneraIUV         // 1_3 on
	colMultiBeneficiario // 1_4
	colSecCF
	colSecDenominazione
	colSecIBAN
	colSecIndirizzo
	colSecCivico
	colSecCAP
	colSecLocalita
	colSecProvincia
	colSecNazione
	colSecDatiSpecifici
	colSecCausale
	colSecImporto
)

// columnNames are MyPay's template header names, used in row errors.
var columnNames = [...]string{
	colIUD: "IUD", colIUV: "codIuv", colTipoID: "tipoIdentificativoUnivoco",
	colCodiceID: "codiceIdentificativoUnivoco", colAnagrafica: "anagraficaPagatore",
	colIndirizzo: "indirizzoPagatore", colCivico: "civicoPagatore", colCAP: "capPagatore",
	colLocalita: "localitaPagatore", colProvincia: "provinciaPagatore", colNazione: "nazionePagatore",
	colEmail: "emailPagatore", colScadenza: "dataScadenzaPagamento", colImporto: "importoDovuto",
	colCommissione: "commissioneCaricoPa", colTipoDovuto: "tipoDovuto", colTipoVersamento: "tipoVersamento",
	colCausale: "causaleVersamento", colDatiSpecifici: "datiSpecificiRiscossione", colBilancio: "bilancio",
	colGeneraIUV: "flagGeneraIuv", colMultiBeneficiario: "flagMultiBeneficiario",
	colSecCF: "codiceFiscaleEnteSecondario", colSecDenominazione: "denominazioneEnteSecondario",
	colSecIBAN: "ibanAccreditoEnteSecondario", colSecIndirizzo: "indirizzoEnteSecondario",
	colSecCivico: "civicoEnteSecondario", colSecCAP: "capEnteSecondario",
	colSecLocalita: "localitaEnteSecondario", colSecProvincia: "provinciaEnteSecondario",
	colSecNazione: "nazioneEnteSecondario", colSecDatiSpecifici: "datiSpecificiRiscossioneEnteSecondario",
	colSecCausale: "causaleVersamentoEnteSecondario", colSecImporto: "importoVersamentoEnteSecondario",
}
