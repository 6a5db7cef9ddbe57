package flussi

// Row codes of an import CSV (mypay-sil §4.4), written in the cod_rifiuto
// column of the _SCARTI file. A syntax error (column count, a mandatory
// field missing, a field too long, a line that cannot be split) is
// CodeSintassiCSV alone; the others accumulate, '|'-separated.
const (
	CodeSintassiCSV = "PAA_IMPORT_SINTASSI_CSV"

	CodeCSVAzione                  = "PAA_IMPORT_SINTASSI_CSV_AZIONE"
	CodeCSVIUD                     = "PAA_IMPORT_SINTASSI_CSV_IUD"
	CodeCSVIUV                     = "PAA_IMPORT_SINTASSI_CSV_IUV"
	CodeCSVTipoDovutoInesistente   = "PAA_IMPORT_SINTASSI_CSV_TIPO_DOVUTO_INESISTENTE"
	CodeCSVTipoDovutoNonAttivo     = "PAA_IMPORT_SINTASSI_CSV_TIPO_DOVUTO_NON_ATTIVO_PER_ENTE"
	CodeCSVTipoDovutoMarcaDaBollo  = "PAA_IMPORT_SINTASSI_CSV_TIPO_DOVUTO_NON_VALIDO_MARCA_DA_BOLLO"
	CodeCSVCodFisc                 = "PAA_IMPORT_SINTASSI_CSV_COD_FISC"
	CodeCSVPIva                    = "PAA_IMPORT_SINTASSI_CSV_P_IVA"
	CodeCSVIDUnivFG                = "PAA_IMPORT_SINTASSI_CSV_ID_UNIV_FG"
	CodeCSVIndirizzo               = "PAA_IMPORT_SINTASSI_CSV_INDIRIZZO"
	CodeCSVCivico                  = "PAA_IMPORT_SINTASSI_CSV_CIVICO"
	CodeCSVNaz                     = "PAA_IMPORT_SINTASSI_CSV_NAZ"
	CodeCSVProv                    = "PAA_IMPORT_SINTASSI_CSV_PROV"
	CodeCSVCAP                     = "PAA_IMPORT_SINTASSI_CSV_CAP"
	CodeCSVEmail                   = "PAA_IMPORT_SINTASSI_CSV_EMAIL"
	CodeCSVDataScadenzaNonPresente = "PAA_IMPORT_SINTASSI_CSV_DATA_SCADENZA_PAGAMENTO_NON_PRESENTE"
	CodeCSVImporto                 = "PAA_IMPORT_SINTASSI_CSV_IMPORTO"
	CodeCSVCommissioniPA           = "PAA_IMPORT_SINTASSI_CSV_COMMISSIONI_PA"
	CodeCSVTipoVers                = "PAA_IMPORT_SINTASSI_CSV_TIPO_VERS"
	CodeCSVDatiRiscoss             = "PAA_IMPORT_SINTASSI_CSV_DATI_RISCOSS"
	CodeCSVBilancio                = "PAA_IMPORT_SINTASSI_CSV_BILANCIO"

	CodeCSVCodFiscEnteSecondario     = "PAA_IMPORT_SINTASSI_CSV_COD_FISC_ENTE_SECONDARIO"
	CodeCSVIBANEnteSecondario        = "PAA_IMPORT_SINTASSI_CSV_IBAN_ACCREDITO_ENTE_SECONDARIO"
	CodeCSVIndirizzoEnteSecondario   = "PAA_IMPORT_SINTASSI_CSV_INDIRIZZO_ENTE_SECONDARIO"
	CodeCSVCivicoEnteSecondario      = "PAA_IMPORT_SINTASSI_CSV_CIVICO_ENTE_SECONDARIO"
	CodeCSVNazEnteSecondario         = "PAA_IMPORT_SINTASSI_CSV_NAZ_ENTE_SECONDARIO"
	CodeCSVProvEnteSecondario        = "PAA_IMPORT_SINTASSI_CSV_PROV_ENTE_SECONDARIO"
	CodeCSVCAPEnteSecondario         = "PAA_IMPORT_SINTASSI_CSV_CAP_ENTE_SECONDARIO"
	CodeCSVDatiRiscossEnteSecondario = "PAA_IMPORT_SINTASSI_CSV_DATI_RISCOSS_ENTE_SECONDARIO"
	CodeCSVImportoVersEnteSecondario = "PAA_IMPORT_SINTASSI_CSV_IMPORTO_VERS_ENTE_SECONDARIO"
)
