package normalize

import "strings"

// Italy is the ISO code for which province and CAP rules apply.
const Italy = "IT"

// Nation returns s upper-cased if it is an ISO 3166-1 alpha-2 code (case
// ignored, no trimming, as MyPay matches its nazioni table), else "".
func Nation(s string) string {
	if len(s) != 2 {
		return ""
	}
	u := strings.ToUpper(s)
	if _, ok := nations[u]; ok {
		return u
	}
	return ""
}

// Province returns the Italian province sigla s upper-cased when nation is
// IT (case ignored) and s is a known sigla, else "".
func Province(nation, s string) string {
	if !strings.EqualFold(nation, Italy) || len(s) != 2 {
		return ""
	}
	u := strings.ToUpper(s)
	if _, ok := provinces[u]; ok {
		return u
	}
	return ""
}

// CAP returns s when it is a valid postal code for nation, else "": for IT
// exactly five digits, for any other or unknown nation 1 to 16 ASCII
// letters and digits. That is MyPay's isValidCAP; note that it refuses the
// spaces and dashes of some foreign codes (e.g. "SW1A 1AA").
func CAP(nation, s string) string {
	if s == "" {
		return ""
	}
	if strings.EqualFold(nation, Italy) {
		if len(s) != 5 {
			return ""
		}
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return ""
			}
		}
		return s
	}
	if len(s) > 16 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	return s
}

func set(codes string) map[string]struct{} {
	m := make(map[string]struct{})
	for _, c := range strings.Fields(codes) {
		m[c] = struct{}{}
	}
	return m
}

// nations: the 249 officially assigned ISO 3166-1 alpha-2 codes.
var nations = set(`
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
DE DJ DK DM DO DZ
EC EE EG EH ER ES ET
FI FJ FK FM FO FR
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
HK HM HN HR HT HU
ID IE IL IM IN IO IQ IR IS IT
JE JM JO JP
KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
NA NC NE NF NG NI NL NO NP NR NU NZ
OM
PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA
RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
UA UG UM US UY UZ
VA VC VE VG VI VN VU
WF WS
YE YT
ZA ZM ZW
`)

// provinces: the 107 current sigle (provinces, metropolitan cities, free
// consortia, regional decentralised bodies, Aosta, Bolzano, Trento).
var provinces = set(`
AG AL AN AO AP AQ AR AT AV
BA BG BI BL BN BO BR BS BT BZ
CA CB CE CH CL CN CO CR CS CT CZ
EN
FC FE FG FI FM FR
GE GO GR
IM IS
KR
LC LE LI LO LT LU
MB MC ME MI MN MO MS MT
NA NO NU
OR
PA PC PD PE PG PI PN PO PR PT PU PV PZ
RA RC RE RG RI RN RM RO
SA SI SO SP SR SS SU SV
TA TE TN TO TP TR TS TV
UD
VA VB VC VE VI VR VT VV
`)
