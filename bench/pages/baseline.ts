// The physical floors (raw data-channel round trip, one IndexedDB transaction): the same page module
// the e2e specs use, served with the bench pages so both are measured in the same run.
import '../../e2e/pages/runtime/baseline';
