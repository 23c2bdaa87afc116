// The partner search box, where JavaScript runs: GOV.UK's accessible-autocomplete suggests
// organisations as the user types, and choosing one goes straight to the rest of the partner
// form. Without JavaScript the same box is part of a plain search form that lists results.
// Kept in a file (not inline) because the Content Security Policy forbids inline script.
const input = document.querySelector('input[data-partner-search]')

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

if (input && input.form) {
  // A UMD bundle: loaded as a module it sets window.accessibleAutocomplete.
  await import(input.dataset.autocompleteScript)
  const form = input.form
  const endpoint = input.dataset.partnerSearch
  const label = form.querySelector(`label[for="${input.id}"]`)
  if (label && !label.id) label.id = `${input.id}-label`
  const { id, name, value } = input
  const container = document.createElement('div')
  input.after(container)
  input.remove()

  let latest = 0
  window.accessibleAutocomplete({
    element: container,
    id,
    name,
    defaultValue: value,
    minLength: 2,
    confirmOnBlur: false,
    showNoOptionsFound: true,
    menuAttributes: label ? { 'aria-labelledby': label.id } : {},
    source (query, populateResults) {
      // Only the newest answer is shown, whatever order the answers arrive in.
      const ticket = ++latest
      const params = new URLSearchParams(new FormData(form))
      params.set(name, query)
      params.delete('page')
      fetch(`${endpoint}?${params}`, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => { if (ticket === latest) populateResults(data.results || []) })
        .catch(() => { if (ticket === latest) populateResults([]) })
    },
    templates: {
      inputValue: (result) => (result && typeof result === 'object' ? result.name : result || ''),
      suggestion: (result) => (typeof result === 'object'
        ? `${escapeHtml(result.name)}<span class="app-autocomplete__town">, ${escapeHtml(result.town)}</span>`
        : escapeHtml(result))
    },
    onConfirm (result) {
      if (result && typeof result === 'object') window.location.assign(result.url)
    },
    tNoResults: () => 'No organisations found'
  })
}
