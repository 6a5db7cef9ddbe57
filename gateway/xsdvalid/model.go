package xsdvalid

// qname is an expanded XML name.
type qname struct{ ns, local string }

func (q qname) String() string {
	if q.ns == "" {
		return q.local
	}
	return "{" + q.ns + "}" + q.local
}

// element is a compiled element declaration. Exactly one of st and ct is
// set, unless lax is true (a reference into a namespace whose schema is not
// loaded: its content is skipped).
type element struct {
	name     qname
	st       *simpleType
	ct       *complexType
	nillable bool
	fixed    *string
	lax      bool
}

type contentKind int

const (
	contentEmpty contentKind = iota
	contentSimple
	contentElementOnly
	contentMixed
)

// complexType is a compiled complex type.
type complexType struct {
	name     string
	kind     contentKind
	simple   *simpleType // contentSimple only
	particle *particle   // before automaton construction
	dfa      *dfa        // element-only and mixed content (nil for xsd:all)
	all      *allModel   // content that is a single xsd:all group
	attrs    []*attrUse
	attrWild *wildcard
}

type attrUse struct {
	name     qname
	st       *simpleType // nil: any value (unresolved foreign reference)
	required bool
	fixed    *string
}

const (
	processStrict = iota
	processLax
	processSkip
)

// wildcard is an xsd:any or xsd:anyAttribute namespace constraint.
type wildcard struct {
	any     bool
	not     bool   // ##other
	notNS   string // the namespace excluded by ##other
	list    map[string]bool
	process int
	desc    string // for messages
}

func (w *wildcard) allows(ns string) bool {
	switch {
	case w.any:
		return true
	case w.not:
		return ns != w.notNS && ns != ""
	}
	return w.list[ns]
}

type particleKind int

const (
	pkElement particleKind = iota
	pkAny
	pkSequence
	pkChoice
	pkAll
)

// particle is a content-model term with its occurrence range; max < 0
// means unbounded.
type particle struct {
	kind     particleKind
	min, max int
	elem     *element
	wild     *wildcard
	children []*particle
}
