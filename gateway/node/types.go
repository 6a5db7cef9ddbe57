package node

// Station is the caller's identity at the node: the intermediario PA, its
// stazione and the stazione's password (8–15 characters). Ponte keeps one
// per ente.
type Station struct {
	IntermediarioPA string
	StazionePA      string
	Password        string
}

// PSP names the PSP, its intermediario and the channel a payment goes
// through. A zero PSP in a request means WISP.
type PSP struct {
	ID            string
	Intermediario string
	Canale        string
}

// WISP is the fixed PSP data an ente sends when the citizen chooses the PSP
// on the node's pages (SANP 2.1 §8.1.1.5, pagopa-node.md §3.3).
var WISP = PSP{ID: "AGID_01", Intermediario: "97735020584", Canale: "97735020584_02"}

func (p PSP) orWISP() PSP {
	if p == (PSP{}) {
		return WISP
	}
	return p
}

// CallInfo carries the keys the journal indexes an exchange by; none of
// them goes on the wire. Empty IUV and CCP are taken from the request when
// it has exactly one.
type CallInfo struct {
	CodIpa    string // the ente's codIpa
	IUV       string
	CCP       string
	IDSession string // Ponte's (MyPay's) idSession, not the node's
}

// FaultBean is the node's faultBean. Serial, when set, is the 1-based
// position of the RPT of a cart the fault refers to.
type FaultBean struct {
	FaultCode           string
	FaultString         string
	ID                  string
	Description         string
	Serial              *int
	OriginalFaultCode   string
	OriginalFaultString string
	OriginalDescription string
}
