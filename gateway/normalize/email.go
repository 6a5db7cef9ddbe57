package normalize

import "regexp"

// emailRe is the SIL stEMail pattern (the pipe is part of the class). Go's
// $ without (?m) matches only at the end, like Java's matches().
var emailRe = regexp.MustCompile("^[a-zA-Z0-9_!#$%&'*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$")

// maxEmail is stEMail's maxLength.
const maxEmail = 256

// Email reports whether s is an e-mail address the SIL accepts.
func Email(s string) bool {
	return len(s) <= maxEmail && emailRe.MatchString(s)
}
