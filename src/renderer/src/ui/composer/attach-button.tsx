import { useRef } from 'react'

/** The ＋ beside the message box and the hidden file picker it opens. */
export function AttachButton({ enabled, onFiles }: { enabled: boolean; onFiles(files: File[]): void }) {
  const picker = useRef<HTMLInputElement>(null)
  return (
    <>
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        onChange={(event) => {
          onFiles([...(event.target.files ?? [])])
          // Picking the same file again must fire onChange again.
          event.target.value = ''
        }}
      />
      <button
        type="button"
        className="attach"
        aria-label="Attach file"
        title={
          enabled
            ? 'Attach file (or drop files here, or paste an image)'
            : 'Files can be attached once connected'
        }
        disabled={!enabled}
        onClick={() => picker.current?.click()}
      >
        <span aria-hidden="true">＋</span>
      </button>
    </>
  )
}
