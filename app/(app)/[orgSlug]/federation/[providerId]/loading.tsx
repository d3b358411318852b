import { TableSkeleton } from '@/components/ui/table-skeleton'

export default function Loading() {
  return <TableSkeleton label="Loading the trust provider" />
}
