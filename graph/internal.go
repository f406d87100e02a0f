package graph

import "github.com/golem-ml/golem/internal/graphrt"

// catch turns a panic inside Gorgonia into an error.
var catch = graphrt.Catch

// sameShape compares shapes strictly, dimension by dimension.
var sameShape = graphrt.SameShape
