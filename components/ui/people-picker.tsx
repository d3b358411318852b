'use client'
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type CSSProperties } from 'react'

export type PickerPerson = {
  id: string
  name: string
  email?: string
  /** shown after the name, e.g. a role */
  note?: string
  /** a deactivated person: listed (marked) so a current choice stays readable, never selectable */
  inactive?: boolean
}
/** A choice that is not a person ("No owner", "Leave unchanged"); listed above the people. */
export type PickerChoice = { value: string; label: string }

const MAX_SHOWN = 50

function fold(s: string) {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
}

type Item = { value: string; label: string; secondary?: string; disabled: boolean; kind: 'choice' | 'person' }

/**
 * A searchable person field (the ARIA 1.2 combobox pattern): type part of a name or e-mail to filter, arrow keys
 * move, Enter picks, Escape closes and restores the current choice. The value is a person's id or a choice's value.
 */
export function PeoplePicker({
  id,
  people,
  value,
  onChange,
  choices = [],
  placeholder = 'Type a name or e-mail…',
  name,
  required,
  disabled,
  invalid,
  describedBy,
  className = '',
  ariaLabel,
}: {
  /** the input's id: give the visible label htmlFor={id} */
  id: string
  people: PickerPerson[]
  value: string
  onChange: (value: string) => void
  choices?: PickerChoice[]
  placeholder?: string
  /** form field name: a hidden input carries the chosen value */
  name?: string
  /** blocks form submission until something is chosen */
  required?: boolean
  disabled?: boolean
  invalid?: boolean
  describedBy?: string
  className?: string
  /** only when there is no visible label */
  ariaLabel?: string
}) {
  const listId = useId()
  const input = useRef<HTMLInputElement>(null)
  const list = useRef<HTMLUListElement>(null)
  const [open, setOpen] = useState(false)
  const [query, setQuery] = useState<string | null>(null)
  const [active, setActive] = useState(0)

  const items = useMemo<Item[]>(
    () => [
      ...choices.map((c) => ({ value: c.value, label: c.label, disabled: false, kind: 'choice' as const })),
      ...people.map((p) => ({
        value: p.id,
        label: p.name,
        secondary: [p.email, p.note, p.inactive ? 'deactivated' : undefined].filter(Boolean).join(' · ') || undefined,
        disabled: !!p.inactive,
        kind: 'person' as const,
      })),
    ],
    [choices, people],
  )
  const selected = items.find((i) => i.value === value)
  const selectedText = selected
    ? selected.kind === 'person' && people.find((p) => p.id === value)?.email
      ? `${selected.label} (${people.find((p) => p.id === value)!.email})`
      : selected.label
    : ''

  const matches = useMemo(() => {
    const q = fold((query ?? '').trim())
    if (!q) return items
    const words = q.split(/\s+/)
    return items.filter((i) => {
      const hay = fold(`${i.label} ${i.secondary ?? ''}`)
      return words.every((w) => hay.includes(w))
    })
  }, [items, query])
  const shown = matches.slice(0, MAX_SHOWN)
  const activeIndex = Math.min(active, Math.max(shown.length - 1, 0))

  useEffect(() => {
    input.current?.setCustomValidity(required && !value ? 'Choose a person from the list.' : '')
  }, [required, value])

  // The list is fixed to the viewport so a dialog's scroll box does not clip it; it opens upwards near the bottom.
  const [place, setPlace] = useState<CSSProperties>({})
  useLayoutEffect(() => {
    if (!open) return
    const update = () => {
      const r = input.current?.getBoundingClientRect()
      if (!r) return
      const below = window.innerHeight - r.bottom
      const up = below < 220 && r.top > below
      setPlace({ position: 'fixed', left: r.left, width: Math.max(r.width, 256), ...(up ? { bottom: window.innerHeight - r.top + 4 } : { top: r.bottom + 4 }) })
    }
    update()
    window.addEventListener('resize', update)
    window.addEventListener('scroll', update, true)
    return () => {
      window.removeEventListener('resize', update)
      window.removeEventListener('scroll', update, true)
    }
  }, [open])

  useEffect(() => {
    if (!open) return
    list.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [open, activeIndex])

  const close = () => {
    setOpen(false)
    setQuery(null)
  }
  const pick = (item: Item | undefined) => {
    if (!item || item.disabled) return
    onChange(item.value)
    close()
  }
  const move = (delta: number) => {
    if (!open) {
      setOpen(true)
      const current = shown.findIndex((i) => i.value === value)
      setActive(current >= 0 ? current : 0)
      return
    }
    if (shown.length === 0) return
    let next = activeIndex
    for (let step = 0; step < shown.length; step++) {
      next = (next + delta + shown.length) % shown.length
      if (!shown[next].disabled) break
    }
    setActive(next)
  }

  const optionId = (i: number) => `${listId}-o${i}`
  return (
    <div className={`relative ${className}`}>
      {name ? <input type="hidden" name={name} value={value} /> : null}
      <input
        ref={input}
        id={id}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && shown.length ? optionId(activeIndex) : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-label={ariaLabel}
        autoComplete="off"
        spellCheck={false}
        disabled={disabled}
        placeholder={selected ? selectedText : placeholder}
        value={query ?? selectedText}
        onChange={(e) => {
          setQuery(e.target.value)
          setActive(0)
          setOpen(true)
        }}
        onFocus={(e) => e.currentTarget.select()}
        onClick={() => setOpen(true)}
        onBlur={close}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault()
            move(1)
          } else if (e.key === 'ArrowUp') {
            e.preventDefault()
            move(-1)
          } else if (e.key === 'Enter' && open) {
            e.preventDefault()
            pick(shown[activeIndex])
          } else if (e.key === 'Escape' && (open || query !== null)) {
            // Close the list, not the dialog around it.
            e.preventDefault()
            e.stopPropagation()
            close()
          } else if (e.key === 'Home' && open) {
            e.preventDefault()
            setActive(0)
          } else if (e.key === 'End' && open) {
            e.preventDefault()
            setActive(shown.length - 1)
          }
        }}
        className="block w-full rounded-md border border-slate-300 bg-white py-1.5 pr-8 pl-2.5 text-sm shadow-xs placeholder:text-slate-500 focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 focus:outline-none disabled:bg-slate-50 disabled:text-slate-400 aria-invalid:border-rose-400"
      />
      <svg aria-hidden="true" viewBox="0 0 16 16" className="pointer-events-none absolute top-1/2 right-2.5 size-3.5 -translate-y-1/2 text-slate-400">
        <path d="m4.5 6.5 3.5 3.5 3.5-3.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <ul
        ref={list}
        id={listId}
        role="listbox"
        aria-label={ariaLabel ?? 'People'}
        hidden={!open}
        style={place}
        className="z-50 max-h-64 overflow-y-auto rounded-lg border border-slate-200 bg-white p-1 text-sm shadow-lg ring-1 ring-slate-900/5"
      >
        {shown.map((item, i) => (
          <li
            key={item.value || '(empty)'}
            id={optionId(i)}
            data-index={i}
            role="option"
            aria-selected={item.value === value}
            aria-disabled={item.disabled || undefined}
            // Keep focus in the input so the list does not close before the click lands.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(item)}
            onMouseMove={() => i !== activeIndex && setActive(i)}
            className={`flex cursor-pointer items-baseline gap-2 rounded-md px-2 py-1.5 ${i === activeIndex ? 'bg-indigo-50 text-indigo-900' : 'text-slate-800'} ${
              item.disabled ? 'cursor-not-allowed opacity-60' : ''
            } ${item.kind === 'choice' ? 'italic text-slate-600' : ''}`}
          >
            <span className="truncate">{item.label}</span>
            {item.secondary ? <span className="truncate text-xs text-slate-500">{item.secondary}</span> : null}
            {item.value === value ? (
              <svg aria-hidden="true" viewBox="0 0 16 16" className="ml-auto size-3.5 shrink-0 self-center text-indigo-600">
                <path d="m3.5 8.5 3 3 6-7" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
            ) : null}
          </li>
        ))}
        {shown.length === 0 ? (
          <li className="px-2 py-1.5 text-slate-500" role="presentation">
            No one matches “{query}”.
          </li>
        ) : null}
        {matches.length > shown.length ? (
          <li className="px-2 py-1.5 text-xs text-slate-500" role="presentation">
            {matches.length - shown.length} more: keep typing to narrow the list.
          </li>
        ) : null}
      </ul>
    </div>
  )
}
