'use client'
import { useState, type Ref } from 'react'
import { controlClass } from '@/components/ui/field'
import { submitted } from '@/components/ui/use-org-action'

/**
 * A list's search box: a search landmark whose text goes to onSearch, trimmed, on Enter. It shows the URL's query
 * again whenever that changes (back, a cleared filter), so the box never disagrees with the list below it.
 */
export function SearchBox({
  label,
  query,
  onSearch,
  placeholder,
  className,
  inputRef,
}: {
  label: string
  query: string
  onSearch: (q: string) => void
  placeholder: string
  className?: string
  inputRef?: Ref<HTMLInputElement>
}) {
  const [q, setQ] = useState(query)
  const [shownQuery, setShownQuery] = useState(query)
  if (query !== shownQuery) {
    setShownQuery(query)
    setQ(query)
  }
  return (
    <form role="search" onSubmit={submitted(() => onSearch(q.trim()))}>
      <input
        ref={inputRef}
        type="search"
        aria-label={label}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        placeholder={placeholder}
        maxLength={100}
        className={controlClass('md', className)}
      />
    </form>
  )
}
