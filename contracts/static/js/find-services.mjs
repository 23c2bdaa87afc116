// The "where does the person live" list, where JavaScript runs: GOV.UK's accessible-autocomplete
// turns the select into a box that suggests places as the user types. Without JavaScript it stays
// a plain select. Kept in a file (not inline) because the Content Security Policy forbids inline script.
const select = document.querySelector('select[data-autocomplete-script]')

if (select) {
  // A UMD bundle: loaded as a module it sets window.accessibleAutocomplete.
  await import(select.dataset.autocompleteScript)
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: '',
    showAllValues: true,
    // No type-ahead hint: its extra input has no label (axe), and the list already shows the matches.
    autoselect: false,
    tNoResults: () => 'No places found'
  })
}
