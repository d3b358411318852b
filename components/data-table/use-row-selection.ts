'use client'

import { useEffect, useEffectEvent, useMemo, useRef, useState } from 'react'
import type { ReadonlyURLSearchParams } from 'next/navigation'
import type { RowSelectionState } from '@tanstack/react-table'
import { TABLE_PARAMS } from './url-state'

/** Params that change the view, not *which* rows match; anything else is a filter. */
const VIEW_PARAMS: string[] = Object.values(TABLE_PARAMS)

/**
 * Selected row ids, kept across pages/sorts and cleared when any filter param
 * changes. `onChange` is notified after every change (not on mount).
 */
export function useRowSelection(searchParams: ReadonlyURLSearchParams | URLSearchParams, onChange?: (ids: string[]) => void) {
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({})

  const filterKey = useMemo(() => {
    const params = new URLSearchParams(searchParams.toString())
    VIEW_PARAMS.forEach((key) => params.delete(key))
    params.sort()
    return params.toString()
  }, [searchParams])
  const [selectionKey, setSelectionKey] = useState(filterKey)
  if (selectionKey !== filterKey) {
    setSelectionKey(filterKey)
    if (Object.keys(rowSelection).length) setRowSelection({})
  }

  const notify = useEffectEvent((ids: string[]) => onChange?.(ids))
  const isFirst = useRef(true)
  useEffect(() => {
    if (isFirst.current) {
      isFirst.current = false
      return
    }
    notify(Object.keys(rowSelection))
  }, [rowSelection])

  return [rowSelection, setRowSelection] as const
}
